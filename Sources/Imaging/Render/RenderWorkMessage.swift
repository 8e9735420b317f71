import Foundation
import NIOCore

/// The JSON headers of the frames a render worker and the server exchange (see `RenderFrame`).
package enum RenderWorkMessage {
    /// The protocol the pool and its workers speak; a worker of another build answers a different number.
    package static let protocolVersion = 1

    /// The worker's first frame: it started, set its limits and libvips, and is ready for work.
    package struct Hello: Codable, Equatable {
        var worker = "darkroom-render-worker"
        var protocolVersion = RenderWorkMessage.protocolVersion

        package init() {}
    }

    /// How to render the upload in the frame's body. The whole configuration travels with every request, so a
    /// worker holds no state between renders.
    package struct Request: Codable, Equatable {
        var filter: String
        var configuration: RenderConfiguration

        package init(filter: String, configuration: RenderConfiguration) {
            self.filter = filter
            self.configuration = configuration
        }
    }

    /// The outcome; with `facts`, the body holds the renditions in `renditions` order, each `length` bytes.
    struct Reply: Codable, Equatable {
        struct Output: Codable, Equatable {
            var name: String
            var format: RenditionFormat
            var width: Int
            var height: Int
            var length: Int
        }
        struct Failure: Codable, Equatable {
            var code: String
            var message: String
        }
        var facts: ImageFacts?
        var renditions: [Output] = []
        var failure: Failure?
        /// The worker's CPU (user + system, all its threads) since its previous reply: what this render cost it.
        var cpuMilliseconds: Double
    }

    package static func frame(_ header: some Encodable, body: ByteBuffer = ByteBuffer()) -> RenderFrame {
        // JSON of our own Codable types cannot fail to encode.
        let json = (try? JSONEncoder().encode(header)) ?? Data()
        return RenderFrame(header: ByteBuffer(bytes: json), body: body)
    }

    package static func header<T: Decodable>(_ type: T.Type, of frame: RenderFrame) throws(RenderSocket.Failure) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(frame.header.readableBytesView))
        } catch {
            throw .malformed("\(type) header: \(error)")
        }
    }

    /// The reply frame for a render's outcome.
    package static func reply(_ outcome: Result<RenderResult, ImagingError>, cpuMilliseconds: Double) -> RenderFrame {
        switch outcome {
        case .failure(let error):
            return frame(Reply(failure: .init(code: error.code.description, message: error.message), cpuMilliseconds: cpuMilliseconds))
        case .success(let result):
            var body = ByteBuffer()
            body.reserveCapacity(result.renditions.reduce(0) { $0 + $1.bytes.count })
            var outputs: [Reply.Output] = []
            for rendition in result.renditions {
                body.writeBytes(rendition.bytes)
                outputs.append(.init(
                    name: rendition.name, format: rendition.format, width: rendition.width, height: rendition.height,
                    length: rendition.bytes.count))
            }
            return frame(Reply(facts: result.facts, renditions: outputs, cpuMilliseconds: cpuMilliseconds), body: body)
        }
    }

    /// The render's outcome from a reply frame: the worker's own error (a 4xx for the upload), or the result.
    package static func outcome(of frame: RenderFrame) throws(RenderSocket.Failure) -> (Result<RenderResult, ImagingError>, cpuMilliseconds: Double) {
        let reply = try header(Reply.self, of: frame)
        if let failure = reply.failure {
            guard let code = ImagingError.Code(rawValue: failure.code) else { throw .malformed("unknown error code \(failure.code)") }
            return (.failure(ImagingError(code, failure.message)), reply.cpuMilliseconds)
        }
        guard let facts = reply.facts else { throw .malformed("a reply with neither facts nor failure") }
        var body = frame.body
        var renditions: [Rendition] = []
        for output in reply.renditions {
            guard output.length >= 0, let bytes = body.readBytes(length: output.length) else {
                throw .malformed("rendition \(output.name) overruns the body")
            }
            renditions.append(Rendition(name: output.name, format: output.format, width: output.width, height: output.height, bytes: bytes))
        }
        guard body.readableBytes == 0 else { throw .malformed("\(body.readableBytes) bytes after the renditions") }
        return (.success(RenderResult(facts: facts, renditions: renditions)), reply.cpuMilliseconds)
    }
}
