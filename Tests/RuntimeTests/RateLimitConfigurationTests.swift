import Runtime
import Storage
import Testing

@Suite struct RateLimitConfigurationTests {
    @Test(arguments: [
        ("10/15m", RateLimit(count: 10, period: .seconds(900))),
        ("20/1m", RateLimit(count: 20, period: .seconds(60))),
        ("5/h", RateLimit(count: 5, period: .seconds(3600))),
        ("3/500ms", RateLimit(count: 3, period: .milliseconds(500))),
        (" 100/1D ", RateLimit(count: 100, period: .seconds(86_400))),
    ])
    func specsParse(spec: String, limit: RateLimit) throws {
        #expect(try DarkroomConfiguration.RateLimits.parse(spec) == limit)
    }

    @Test func offDisablesOneLimitAndTheDefaultsCoverEveryKind() throws {
        let configuration = try DarkroomConfiguration(environment: ["DARKROOM_RATE_LIKE_USER": "off"])
        #expect(configuration.rateLimits.limits[.like] == nil)
        #expect(configuration.rateLimits.limits[.loginAccount] == RateLimit(count: 10, period: .seconds(900)))
        #expect(Set(configuration.rateLimits.limits.keys) == Set(RateLimitKind.allCases).subtracting([.like]))
        #expect(configuration.rateLimits.trustedProxies == .nobody)
    }
}

/// Which address a request is limited under: `X-Forwarded-For` counts only from a trusted peer, and then its right-most
/// untrusted entry is the client.
@Suite struct TrustedProxiesTests {
    static let proxies = try! TrustedProxies(parsing: "10.0.0.0/8, 192.168.1.7, ::1/128, fd00::/8")

    @Test(arguments: [
        // An untrusted peer is the client, whatever it forwards.
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),
        // A trusted peer: the right-most untrusted hop is the client; a spoofed left part is ignored.
        ("10.1.2.3", ["198.51.100.1"], "198.51.100.1"),
        ("10.1.2.3", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),
        ("10.1.2.3", ["6.6.6.6", "198.51.100.1, 10.9.9.9"], "198.51.100.1"),
        ("192.168.1.7", ["198.51.100.1, 192.168.1.7"], "198.51.100.1"),
        // Only trusted hops: the left-most of them.
        ("10.1.2.3", ["10.2.2.2, 10.3.3.3"], "10.2.2.2"),
        // No header: the peer.
        ("10.1.2.3", [], "10.1.2.3"),
        // Garbage ends the walk at the trusted hop that passed it on.
        ("10.1.2.3", ["1.1.1.1, not-an-ip, 10.4.4.4"], "10.4.4.4"),
        // A host outside the single-address block is not trusted.
        ("192.168.1.8", ["198.51.100.1"], "192.168.1.8"),
        // IPv6 peers and entries, IPv4-mapped addresses taken as IPv4.
        ("::1", ["2001:db8::1"], "2001:db8::1"),
        ("fd12::5", ["[2001:DB8:0:0::1]"], "2001:db8::1"),
        ("::ffff:10.0.0.1", ["::ffff:198.51.100.1"], "198.51.100.1"),
    ])
    func clientAddress(peer: String, forwardedFor: [String], client: String) throws {
        let address = Self.proxies.clientAddress(peer: IPAddress(peer), forwardedFor: forwardedFor)
        #expect(address?.description == client)
    }

    @Test func nobodyIsTrustedByDefault() {
        #expect(TrustedProxies.nobody.clientAddress(peer: IPAddress("10.0.0.1"), forwardedFor: ["1.2.3.4"])?.description == "10.0.0.1")
        #expect(TrustedProxies.nobody.clientAddress(peer: nil, forwardedFor: ["1.2.3.4"]) == nil)
    }

    @Test(arguments: ["10.0.0.0/33", "::/129", "example.com", "10.0.0.0/x"])
    func badBlocksAreRefused(spec: String) {
        #expect(throws: ConfigurationError.self) { try TrustedProxies(parsing: spec) }
    }
}
