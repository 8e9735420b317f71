import NIOCore
import Testing
@testable import Imaging

/// The length-prefixed framing between the server and its render workers.
@Suite struct RenderFrameTests {
    static func joined(_ frame: RenderFrame) -> ByteBuffer {
        var all = ByteBuffer()
        for part in frame.encoded() { all.writeImmutableBuffer(part) }
        return all
    }

    @Test("a frame reads back whole, from one buffer or fed a byte at a time", arguments: [(0, 0), (2, 0), (17, 1), (300, 70_000)])
    func roundTrip(_ sizes: (header: Int, body: Int)) throws {
        let frame = RenderFrame(
            header: ByteBuffer(bytes: (0..<sizes.header).map { UInt8($0 % 251) }),
            body: ByteBuffer(bytes: (0..<sizes.body).map { UInt8($0 % 241) }))
        var whole = Self.joined(frame)
        #expect(whole.readableBytes == 8 + sizes.header + sizes.body)
        #expect(try RenderFrame.read(from: &whole) == frame)
        #expect(whole.readableBytes == 0)

        let bytes = Array(Self.joined(frame).readableBytesView)
        var fed = ByteBuffer()
        var frames: [RenderFrame] = []
        for byte in bytes {
            fed.writeInteger(byte)
            if let read = try RenderFrame.read(from: &fed) { frames.append(read) }
        }
        #expect(frames == [frame])
    }

    @Test("two frames back to back come out one at a time")
    func backToBack() throws {
        let first = RenderFrame(header: ByteBuffer(string: "{}"), body: ByteBuffer(string: "one"))
        let second = RenderFrame(header: ByteBuffer(string: "[1]"))
        var buffer = Self.joined(first)
        var tail = Self.joined(second)
        buffer.writeBuffer(&tail)
        #expect(try RenderFrame.read(from: &buffer) == first)
        #expect(try RenderFrame.read(from: &buffer) == second)
        #expect(try RenderFrame.read(from: &buffer) == nil)
    }

    @Test("a broken prefix is refused, not allocated", arguments: [
        [0, 0, 0, 3],  // shorter than its own header length field
        [0xFF, 0xFF, 0xFF, 0xFF],  // 4 GiB
        [0, 0, 0, 4, 0, 0, 0, 9],  // header length beyond the payload
    ] as [[UInt8]])
    func malformed(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: RenderFrame.Malformed.self) { try RenderFrame.read(from: &buffer) }
    }

    @Test("a reply carries the renditions and facts, or the engine's error code, unchanged")
    func replies() throws {
        let facts = ImageFacts(
            width: 3, height: 2, format: .png, orientation: 1, icc: nil, gps: GPSPosition(latitude: -1.5, longitude: 2.25),
            capturedAt: nil, camera: Camera(make: "m", model: nil), blurhash: "LKO2?U%2Tw=w]~RBVZRi};RPxuwH")
        let result = RenderResult(facts: facts, renditions: [
            Rendition(name: "w1080", format: .jpeg, width: 3, height: 2, bytes: [1, 2, 3]),
            Rendition(name: "sq150", format: .webp, width: 2, height: 2, bytes: []),
            Rendition(name: "sq150", format: .jpeg, width: 2, height: 2, bytes: [9]),
        ])
        let (outcome, cpu) = try RenderWorkMessage.outcome(of: RenderWorkMessage.reply(.success(result), cpuMilliseconds: 12.5))
        let back = try outcome.get()
        #expect(back.facts == facts && back.renditions == result.renditions && cpu == 12.5)

        let failure = ImagingError(.tooManyPixels, "60000x60000")
        let (failed, _) = try RenderWorkMessage.outcome(of: RenderWorkMessage.reply(.failure(failure), cpuMilliseconds: 0))
        #expect(failed.failure?.code == .tooManyPixels)
        #expect(failed.failure?.message == "60000x60000")
    }

    @Test("a reply whose lengths overrun its body is malformed")
    func overrun() {
        var frame = RenderWorkMessage.reply(.success(RenderResult(
            facts: ImageFacts(width: 1, height: 1, format: .gif, orientation: 1, icc: nil, gps: nil, capturedAt: nil, camera: nil, blurhash: ""),
            renditions: [Rendition(name: "w320", format: .jpeg, width: 1, height: 1, bytes: [1, 2, 3, 4])])), cpuMilliseconds: 0)
        frame.body = ByteBuffer(bytes: [1, 2])
        #expect(throws: RenderSocket.Failure.self) { try RenderWorkMessage.outcome(of: frame) }
    }
}
