#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proxies (load balancers) whose `X-Forwarded-For` is believed, as CIDR blocks (`DARKROOM_TRUSTED_PROXIES`).
///
/// Anyone can send `X-Forwarded-For`, so it only counts when the TCP peer is a trusted proxy; then the client is the
/// right-most address in it that is not itself a trusted proxy (each proxy appends the peer it saw, so everything left
/// of that is what the client claimed). An empty list trusts nobody: the peer is the client.
public struct TrustedProxies: Sendable, Hashable {
    public struct Block: Sendable, Hashable {
        var address: [UInt8]
        var prefixLength: Int

        func contains(_ ip: IPAddress) -> Bool {
            guard ip.bytes.count == address.count else { return false }
            var bits = prefixLength
            for (a, b) in zip(ip.bytes, address) where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    public var blocks: [Block]

    public static let nobody = TrustedProxies(blocks: [])

    public init(blocks: [Block]) {
        self.blocks = blocks
    }

    /// Comma-separated CIDRs (`10.0.0.0/8, 127.0.0.1, ::1/128`); a bare address is a single host.
    /// Throws a message naming the bad entry.
    public init(parsing spec: String) throws(ConfigurationError) {
        var blocks: [Block] = []
        for raw in spec.split(separator: ",") {
            let entry = String(raw).trimmingWhitespace()
            guard !entry.isEmpty else { continue }
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let ip = IPAddress(parts[0]) else { throw ConfigurationError(.invalidConfiguration, "'\(entry)' is not an IP address or CIDR block") }
            let maximum = ip.bytes.count * 8
            var length = maximum
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...maximum).contains(value) else {
                    throw ConfigurationError(.invalidConfiguration, "'\(entry)' has a prefix length outside 0...\(maximum)")
                }
                length = value
            }
            blocks.append(Block(address: ip.bytes, prefixLength: length))
        }
        self.blocks = blocks
    }

    public func trusts(_ ip: IPAddress) -> Bool { blocks.contains { $0.contains(ip) } }

    /// The client's address: the peer unless the peer is trusted, then the right-most untrusted `X-Forwarded-For`
    /// entry. An entry that does not parse ends the walk: the hop that appended it (a trusted one) is used instead,
    /// so a client cannot pick its own rate-limit key by sending garbage. `nil` only when there is no peer at all.
    public func clientAddress(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard var client = peer else { return nil }
        guard trusts(client) else { return client }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0).trimmingWhitespace() }
        for hop in hops.reversed() {
            guard let ip = IPAddress(hop) else { return client }
            client = ip
            if !trusts(ip) { return ip }
        }
        return client
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is taken as IPv4, so one
/// client has one key whichever way it is written.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        var text = text
        // `[::1]` and an IPv6 zone (`fe80::1%eth0`) are spellings, not parts of the address.
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        if all[0..<10].allSatisfy({ $0 == 0 }), all[10] == 0xFF, all[11] == 0xFF {
            bytes = Array(all[12...])
        } else {
            bytes = all
        }
    }

    /// Canonical text (`inet_ntop`): the rate-limit key.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        var copy = bytes
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = copy.withUnsafeMutableBytes { raw in
            buffer.withUnsafeMutableBufferPointer { inet_ntop(family, raw.baseAddress, $0.baseAddress, socklen_t($0.count)) != nil }
        }
        guard ok else { return bytes.map(String.init).joined(separator: ".") }
        return String(cString: buffer)
    }
}
