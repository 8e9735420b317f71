@testable import API
import Foundation
import Testing

@Suite struct URLSignerTests {
    static let current = String(repeating: "n", count: 32)
    static let previous = String(repeating: "o", count: 32)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let path = "/m/123/w320.jpg"

    /// `exp` and `sig` of a link signed by `secret`, valid for a minute after `now` unless `expires` says otherwise.
    static func query(_ secret: String, path: String = path, expires: Date = now.addingTimeInterval(60)) throws -> (exp: String, sig: String) {
        let signed = try #require(URLSigner(secrets: [secret]).signedPath(path, expires: expires))
        let items = try #require(URLComponents(string: signed)?.queryItems)
        return (try #require(items.first { $0.name == "exp" }?.value), try #require(items.first { $0.name == "sig" }?.value))
    }

    @Test func aGoodLinkIsValidUntilItExpires() throws {
        let (exp, sig) = try Self.query(Self.current)
        let verdict = URLSigner(secrets: [Self.current]).verify(path: Self.path, exp: exp, sig: sig, now: Self.now)
        #expect(verdict == .valid(expires: Self.now.addingTimeInterval(60)))
        #expect(try OriginController.cachePolicy(for: verdict, now: Self.now) == "public, max-age=60")
    }

    @Test func anOldKeyStillVerifiesAfterRotationAndARemovedOneDoesNot() throws {
        let (exp, sig) = try Self.query(Self.previous)
        #expect(URLSigner(secrets: [Self.current, Self.previous]).verify(path: Self.path, exp: exp, sig: sig, now: Self.now) != .invalid)
        #expect(URLSigner(secrets: [Self.current]).verify(path: Self.path, exp: exp, sig: sig, now: Self.now) == .invalid)
    }

    @Test(arguments: [
        ("another path", "/m/124/w320.jpg", nil, nil),
        ("later expiry", nil, "1800000999", nil),
        ("flipped signature", nil, nil, "flip"),
        ("signature not base64url", nil, nil, "a+b/c="),
        ("empty signature", nil, nil, ""),
        ("expiry not a number", nil, "soon", nil),
    ] as [(String, String?, String?, String?)])
    func tamperingIsInvalid(_ name: String, _ path: String?, _ exp: String?, _ sig: String?) throws {
        let good = try Self.query(Self.current)
        var signature = sig ?? good.sig
        if sig == "flip" { signature = String(good.sig.reversed()) }
        let verdict = URLSigner(secrets: [Self.current]).verify(path: path ?? Self.path, exp: exp ?? good.exp, sig: signature, now: Self.now)
        #expect(verdict == .invalid, "\(name)")
        #expect(throws: APIError.self) { try OriginController.cachePolicy(for: verdict) }
    }

    @Test func anExpiredLinkIsExpiredAndHalfALinkIsInvalid() throws {
        let (exp, sig) = try Self.query(Self.current, expires: Self.now.addingTimeInterval(-1))
        let signer = URLSigner(secrets: [Self.current])
        #expect(signer.verify(path: Self.path, exp: exp, sig: sig, now: Self.now) == .expired)
        #expect(signer.verify(path: Self.path, exp: exp, sig: nil, now: Self.now) == .invalid)
        #expect(signer.verify(path: Self.path, exp: nil, sig: sig, now: Self.now) == .invalid)
        #expect(signer.verify(path: Self.path, exp: nil, sig: nil, now: Self.now) == .unsigned)
        #expect(try OriginController.cachePolicy(for: .unsigned) == "public, max-age=31536000, immutable")
    }

    @Test func withoutKeysNothingIsSignedAndEverySignedLinkIsRefused() throws {
        let (exp, sig) = try Self.query(Self.current)
        let signer = URLSigner(secrets: [])
        #expect(signer.signedPath(Self.path, expires: Self.now) == nil)
        #expect(signer.verify(path: Self.path, exp: exp, sig: sig, now: Self.now) == .invalid)
    }
}
