import Foundation
import TestSupport
import Testing
@testable import Imaging

/// `testimages/`: every accepted file must come back as the reference picture, upright, in sRGB, metadata-free,
/// at every rendition size; every rejected file must give its code.
@Suite struct ProjectCorpusTests {
    static let reference: [UInt8] = {
        let bytes = (try? TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("reference.png"))) ?? []
        return (try? ImageProbe.inspectBlocking(bytes).thumbnail) ?? []
    }()

    @Test("the project's manifest is there", .tags(.corpus))
    func manifestPresent() {
        #expect(ProjectImage.accepted.count >= 20)
        #expect(ProjectImage.rejected.count >= 10)
        #expect(!Self.reference.isEmpty)
    }

    @Test("accepted file: every rendition upright, right size, sRGB, no metadata, looks like the reference",
          .tags(.corpus), arguments: ProjectImage.accepted)
    func accepted(_ image: ProjectImage) async throws {
        let result = try await ImageEngine().render(try TestCorpus.bytes(image.url))
        #expect(result.facts.width == image.width)
        #expect(result.facts.height == image.height)
        #expect(result.facts.orientation == image.orientation)
        #expect(result.renditions.count == RenditionPreset.defaults.count * 2)
        for rendition in result.renditions {
            let probe = try await ImageProbe.inspect(rendition.bytes)
            let expected = expectedSize(of: rendition.name, uprightWidth: image.width, uprightHeight: image.height)
            let label = "\(image.file) \(rendition.name).\(rendition.format)"
            #expect(probe.width == expected.width && probe.height == expected.height, "\(label): \(probe.width)x\(probe.height)")
            #expect(probe.isSRGB && probe.isUChar, "\(label) is not 8-bit sRGB")
            #expect(probe.bands == 3 || (rendition.format == .webp && probe.bands == 4), "\(label) has \(probe.bands) bands")
            #expect(probe.forbiddenFields.isEmpty, "\(label) keeps \(probe.forbiddenFields)")
            if rendition.format == .jpeg {
                #expect(probe.progressive == (rendition.width >= 640), "\(label) progressive setting")
            }
            // The square is a crop, so only the full-frame renditions are compared with the reference. A rendition
            // smaller than the 400-px source was resampled once more, which costs up to 4 levels on the pattern's
            // hard edges (measured: 9-12); a wrong turn or mirror scores ~250, an ignored profile 20+.
            if rendition.name.hasPrefix("w") {
                let limit = image.maxDiff + (rendition.width < image.width ? 4 : 0)
                let diff = ImageProbe.maxDiff(probe.thumbnail, Self.reference)
                #expect(diff <= limit, "\(label) differs from the reference by \(diff) levels")
            }
        }
    }

    @Test("rejected file gives its code", .tags(.corpus), arguments: ProjectImage.rejected)
    func rejected(_ image: ProjectImage) async throws {
        let bytes = try TestCorpus.bytes(image.url)
        let (result, elapsed) = try await timedRender(bytes)
        let error = try #require(result.failure)
        print("rejected \(image.file): \(error.code) in \(elapsed)")
        #expect(error.code.description == image.code)
    }

    @Test("alpha is kept in WebP and flattened on white in JPEG")
    func alpha() async throws {
        let result = try await ImageEngine().render(try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("alpha.png")))
        let webp = try #require(result.renditions.first { $0.format == .webp && $0.name == "w320" })
        let jpeg = try #require(result.renditions.first { $0.format == .jpeg && $0.name == "w320" })
        #expect(try await ImageProbe.inspect(webp.bytes).bands == 4)
        #expect(try await ImageProbe.inspect(jpeg.bytes).bands == 3)
    }

    @Test("facts: camera, capture time with offset, GPS south/west")
    func facts() async throws {
        let result = try await ImageEngine().render(
            try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("facts_gps_camera.jpg")))
        #expect(result.facts.camera == Camera(make: "Darkroom Test Cameras", model: "DR-1 Mk II"))
        #expect(result.facts.capturedAt == "2012-04-09T13:37:42-03:00")
        let gps = try #require(result.facts.gps)
        #expect(abs(gps.latitude - -22.9519) < 0.0001)
        #expect(abs(gps.longitude - -43.2105) < 0.0001)
        #expect(result.facts.icc == nil)
        #expect(result.facts.format == .jpeg)
    }

    @Test("a HEIC's EXIF orientation is not applied twice")
    func heicExifOrientation() async throws {
        let result = try await ImageEngine().render(
            try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("heic_exif_orient6.heic")))
        #expect(result.facts.orientation == 1)
        #expect(result.facts.width == 400 && result.facts.height == 300)
    }
}

extension Tag {
    @Tag static var corpus: Self
}
