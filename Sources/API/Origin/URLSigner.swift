import Crypto
import Foundation
import Storage

/// Time-limited links to the origin: `?exp=<unix seconds>&sig=<base64url HMAC-SHA256 of "path\nexp">`.
///
/// Several keys for rotation: the first signs, every one verifies, so a new key is added in front, links signed with
/// the old one keep working until they expire, and then the old key is removed.
public struct URLSigner: Sendable {
    public enum Verdict: Hashable, Sendable {
        /// Neither `exp` nor `sig`: a public URL.
        case unsigned
        /// Signed by one of the keys and not yet expired; `expires` is when a cache must drop it.
        case valid(expires: Date)
        case expired
        /// Missing half, malformed, or signed by no key of ours.
        case invalid
    }

    private let keys: [SymmetricKey]

    /// `secrets` as `DARKROOM_ORIGIN_SIGNING_KEYS` gives them; none means every signed link is refused.
    public init(secrets: [String]) {
        keys = secrets.map { SymmetricKey(data: Data($0.utf8)) }
    }

    public var canSign: Bool { !keys.isEmpty }

    /// `path?exp=…&sig=…`, signed with the first key; nil without keys.
    public func signedPath(_ path: String, expires: Date) -> String? {
        guard let key = keys.first else { return nil }
        let exp = Int(expires.timeIntervalSince1970.rounded(.down))
        let mac = HMAC<SHA256>.authenticationCode(for: Self.message(path: path, exp: exp), using: key)
        return "\(path)?exp=\(exp)&sig=\(Base64URL.encode(Data(mac)))"
    }

    public func verify(path: String, exp: String?, sig: String?, now: Date) -> Verdict {
        if exp == nil && sig == nil { return .unsigned }
        guard let exp, let seconds = Int(exp), seconds >= 0, let sig, let mac = Base64URL.decode(sig) else { return .invalid }
        let message = Self.message(path: path, exp: seconds)
        // isValidAuthenticationCode compares in constant time.
        guard keys.contains(where: { HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: $0) }) else {
            return .invalid
        }
        let expires = Date(timeIntervalSince1970: TimeInterval(seconds))
        return expires > now ? .valid(expires: expires) : .expired
    }

    /// The path and the expiry, separated by a byte neither can contain, so no two pairs sign the same bytes.
    static func message(path: String, exp: Int) -> Data { Data("\(path)\n\(exp)".utf8) }
}
