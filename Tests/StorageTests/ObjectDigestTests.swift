import Crypto
import Storage
import Testing

@Suite struct ObjectDigestTests {
    /// One pass in chunks gives exactly the one-shot digests, across chunk boundaries.
    @Test(arguments: [0, 5, 65_536, 65_537, 300_001])
    func bothDigestsMatchTheOneShotHashes(size: Int) {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let digest = bytes.withUnsafeBytes { ObjectDigest(of: $0) }
        #expect(digest.sha256 == Array(SHA256.hash(data: bytes)))
        #expect(digest.md5 == Array(Insecure.MD5.hash(data: bytes)))
    }
}
