import API
import Foundation
import HTTPTypes
import HummingbirdTesting
import Imaging
import NIOCore
import Pipeline
import Runtime
import S3
import Storage
import TestSupport
import Testing

/// Issue 9's sweep through `POST /v1/media` on the real stack: every tiny or extreme-aspect file in every allowed
/// format, with a few filters, is stored with renditions between 1 px and the source's size, or refused with 422.
@Suite(.timeLimit(.minutes(5)))
struct ExtremeUploadTests {
    static let filters = ["normal", "clarendon"]

    @Test("uploads with every filter: 201 with renditions 1 px or more and never upscaled, or 422 with a code",
          arguments: ExtremeImage.all)
    func uploads(_ image: ExtremeImage) async throws {
        let bytes = try TestCorpus.bytes(image.url)
        try await AccountStack.run { stack, client in
            for filter in Self.filters {
                // One user per filter: the same bytes from the same owner would be a duplicate of the first upload.
                let (user, token) = try await client.newSession(AccountStack.uniqueName("xt"))
                let answer = try await client.upload(bytes, filename: image.file, fields: ["filter": filter], token: token)
                let label = "\(image.file) \(filter)"
                guard image.accept else {
                    #expect(answer.status == .unprocessableContent, "\(label): \(answer.status)")
                    #expect(try errorCode(answer.body) == image.code, "\(label)")
                    let owner = try #require(ShardedID(string: user.id))
                    #expect(try await UploadIntegrationTests.mediaCount(owner: owner, stack.dependencies.postgres) == 0)
                    continue
                }
                try #require(answer.status == .created, "\(label): \(answer.status) \(String(buffer: answer.body))")
                let media = try decodeMedia(answer.body)
                #expect(media.width == image.width && media.height == image.height, "\(label)")
                #expect(media.filter == filter)
                #expect(media.renditions.count == 8, "\(label)")
                for rendition in media.renditions {
                    let expected = expectedSize(of: rendition.preset, uprightWidth: image.width, uprightHeight: image.height)
                    #expect(rendition.width == expected.width && rendition.height == expected.height,
                            "\(label) \(rendition.preset).\(rendition.format): \(rendition.width)x\(rendition.height)")
                    let served = try await client.execute(uri: UploadIntegrationTests.path(of: rendition.url), method: .get) { (status: $0.status, body: $0.body) }
                    try #require(served.status == .ok, "\(rendition.url)")
                    let header = try RenditionInspector.header(Array(served.body.readableBytesView))
                    #expect(header.width == rendition.width && header.height == rendition.height, "\(rendition.url) as served")
                }
            }
        }
    }
}
