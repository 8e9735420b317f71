import Crypto
import Foundation

/// An opaque bearer token: 256 random bits, base64url without padding (43 characters).
public struct SessionToken: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = 32
    public static let encodedLength = 43

    /// The secret the client holds.
    public let value: String

    /// A fresh token from the system's CSPRNG.
    public static func random() -> SessionToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return SessionToken(checked: Base64URL.encode(Data(bytes)))
    }

    /// Accepts only the shape `random()` makes, so junk from a header is refused before it reaches the store.
    public init?(_ value: some StringProtocol) {
        guard value.utf8.count == Self.encodedLength, value.utf8.allSatisfy(Base64URL.isDigit) else { return nil }
        self.value = String(value)
    }

    private init(checked value: String) { self.value = value }

    /// Hex SHA-256 of the token: what the store keys on.
    public var digest: String {
        SHA256.hash(data: Array(value.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Never the secret itself: tokens must not reach logs.
    public var description: String { "SessionToken(\(digest.prefix(8))…)" }
}
