import NIOCore

/// The wire format between the server and its render workers, one frame per message in each direction:
///
///     frame   = length:UInt32be payload          (length = the payload's byte count)
///     payload = headerLength:UInt32be header body (header: JSON; body: raw bytes, the rest of the payload)
///
/// A request's header says how to render and its body is the upload; a reply's header carries the facts (or the
/// error) and each rendition's length, its body the renditions back to back. Pure values: the socket I/O is
/// `RenderSocket`'s.
package struct RenderFrame: Equatable, Sendable {
    package var header: ByteBuffer
    package var body: ByteBuffer

    /// Above the largest upload (1 GiB, `DARKROOM_UPLOAD_MAX_BYTES`' ceiling) plus its renditions: a length beyond it
    /// is a broken peer, not a big photo, and must not make us allocate it.
    package static let maxLength = (1 << 30) + (64 << 20)

    package struct Malformed: Error, Equatable, CustomStringConvertible {
        package var description: String
    }

    package init(header: ByteBuffer, body: ByteBuffer = ByteBuffer()) {
        self.header = header
        self.body = body
    }

    /// The bytes to send, as parts: the prefixes and header in one small buffer, then the body as it is (an upload
    /// is never copied to be framed).
    package func encoded() -> [ByteBuffer] {
        var head = ByteBuffer()
        head.reserveCapacity(8 + header.readableBytes)
        head.writeInteger(UInt32(4 + header.readableBytes + body.readableBytes))
        head.writeInteger(UInt32(header.readableBytes))
        head.writeImmutableBuffer(header)
        return body.readableBytes == 0 ? [head] : [head, body]
    }

    /// How many bytes the frame at the front of `buffer` needs in all, once its prefix is there (nil before).
    package static func totalLength(peeking buffer: ByteBuffer) throws(Malformed) -> Int? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= 4, Int(length) <= maxLength else { throw Malformed(description: "frame length \(length)") }
        return 4 + Int(length)
    }

    /// Takes one whole frame off the front of `buffer`; nil (and nothing consumed) while it is incomplete.
    package static func read(from buffer: inout ByteBuffer) throws(Malformed) -> RenderFrame? {
        guard let total = try totalLength(peeking: buffer), buffer.readableBytes >= total else { return nil }
        var frame = buffer.readSlice(length: total)!
        frame.moveReaderIndex(forwardBy: 4)
        let headerLength = Int(frame.readInteger(as: UInt32.self)!)
        guard headerLength <= frame.readableBytes else {
            throw Malformed(description: "header length \(headerLength) in a payload of \(frame.readableBytes + 4)")
        }
        let header = frame.readSlice(length: headerLength)!
        return RenderFrame(header: header, body: frame)
    }
}
