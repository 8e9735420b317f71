import Crypto

/// The SHA-256 (SigV4's payload hash, content-addressed keys) and MD5 (S3's Content-MD5, the check that actually
/// guards the bytes in transit) of an object's body, made in one pass so a large body is read once. Computing it is
/// blocking CPU work (~20 ms for a 12-MP JPEG): do it on a thread pool, not the cooperative pool.
public struct ObjectDigest: Sendable, Hashable {
    public var sha256: [UInt8]
    public var md5: [UInt8]

    public init(sha256: [UInt8], md5: [UInt8]) {
        self.sha256 = sha256
        self.md5 = md5
    }

    /// Both digests in one pass over `bytes`, chunk by chunk while each chunk is still in cache.
    public init(of bytes: UnsafeRawBufferPointer) {
        var sha256 = SHA256()
        var md5 = Insecure.MD5()
        let chunk = 64 * 1024
        var offset = 0
        while offset < bytes.count {
            let part = UnsafeRawBufferPointer(rebasing: bytes[offset..<min(offset + chunk, bytes.count)])
            sha256.update(bufferPointer: part)
            md5.update(bufferPointer: part)
            offset += chunk
        }
        self.init(sha256: Array(sha256.finalize()), md5: Array(md5.finalize()))
    }
}
