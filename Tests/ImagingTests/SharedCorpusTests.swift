import Foundation
import TestSupport
import Testing
@testable import Imaging

/// `../shared/testimages`: real photos (every one accepted) and hostile files (each with its expected code).
@Suite struct SharedCorpusTests {
    @Test("the shared manifest is there", .tags(.corpus))
    func manifestPresent() {
        #expect(SharedImage.accepted.count >= 20)
        #expect(SharedImage.hostile.count >= 25)
    }

    @Test("accepted photo: every rendition at the right size, sRGB, no metadata, no appended payload",
          .tags(.corpus), arguments: SharedImage.accepted)
    func accepted(_ image: SharedImage) async throws {
        let bytes = try TestCorpus.bytes(image.url)
        let (outcome, elapsed) = try await timedRender(bytes)
        print("rendered \(image.file) in \(elapsed)")
        let result = try outcome.get()
        let stored = (try #require(image.storedWidth), try #require(image.storedHeight))
        let orientation = image.exifOrientation
        let upright = orientation >= 5 ? (stored.1, stored.0) : stored
        #expect(result.facts.orientation == orientation)
        #expect(result.facts.width == upright.0 && result.facts.height == upright.1)
        for rendition in result.renditions {
            let probe = try await ImageProbe.inspect(rendition.bytes)
            let expected = expectedSize(of: rendition.name, uprightWidth: upright.0, uprightHeight: upright.1)
            let label = "\(image.file) \(rendition.name).\(rendition.format)"
            #expect(probe.width == expected.width && probe.height == expected.height, "\(label): \(probe.width)x\(probe.height)")
            #expect(probe.isSRGB && probe.isUChar && (probe.bands == 3 || probe.bands == 4), "\(label) is not 8-bit sRGB")
            #expect(probe.forbiddenFields.isEmpty, "\(label) keeps \(probe.forbiddenFields)")
            #expect(!rendition.bytes.contains(subsequence: Array("index.html".utf8)), "\(label) carries the polyglot's ZIP")
        }
    }

    @Test("hostile file gives its expected error code", .tags(.corpus), arguments: SharedImage.hostile)
    func hostile(_ image: SharedImage) async throws {
        let bytes = try TestCorpus.bytes(image.url)
        let (result, elapsed) = try await timedRender(bytes)
        let error = try #require(result.failure)
        // Timing is logged, never asserted (benchmarks own timing).
        print("rejected \(image.file): \(error.code) in \(elapsed)")
        #expect(error.code.description == image.expectedCode)
    }

    @Test("EXIF orientations 2...8 on real photos all come out as the same upright picture")
    func realOrientations() async throws {
        func thumbnail(_ file: String) async throws -> [UInt8] {
            let result = try await ImageEngine(configuration: .init(presets: [.width(320)], formats: [.jpeg]))
                .render(try TestCorpus.bytes(TestCorpus.sharedImages.appendingPathComponent("real/\(file)")))
            return try await ImageProbe.inspect(result.renditions[0].bytes).thumbnail
        }
        // The exif-orientation-examples photos differ only in the big digit printed on them, so the mean difference
        // is small when the turn is right; mirroring the picture (what a wrong transform does) raises it several-fold.
        let landscapes = ["orient2_mirror_Landscape_2.jpg", "orient5_transpose_Landscape_5.jpg",
                          "orient6_rot90cw_Landscape_6.jpg", "orient8_rot270cw_Landscape_8.jpg"]
        let first = try await thumbnail(landscapes[0])
        let mirrored = mirror(first)
        for file in landscapes.dropFirst() {
            let other = try await thumbnail(file)
            let diff = ImageProbe.meanDiff(first, other)
            print("\(file) vs \(landscapes[0]): mean difference \(diff), mirrored \(ImageProbe.meanDiff(mirrored, other))")
            #expect(diff < 6, "\(file) differs from \(landscapes[0]) by \(diff) levels on average")
            #expect(ImageProbe.meanDiff(mirrored, other) > 3 * diff)
        }
        let portrait3 = try await thumbnail("orient3_rot180_Portrait_3.jpg")
        let portrait7 = try await thumbnail("orient7_transverse_Portrait_7.jpg")
        #expect(ImageProbe.meanDiff(portrait3, portrait7) < 6)
        #expect(ImageProbe.meanDiff(mirror(portrait3), portrait7) > 3 * ImageProbe.meanDiff(portrait3, portrait7))
    }

    /// Left-right mirror of a 48×36 RGB thumbnail.
    private func mirror(_ pixels: [UInt8]) -> [UInt8] {
        let (width, height) = ImageProbe.thumbnailSize
        var out = pixels
        for y in 0..<height {
            for x in 0..<width {
                for band in 0..<3 {
                    out[(y * width + x) * 3 + band] = pixels[(y * width + (width - 1 - x)) * 3 + band]
                }
            }
        }
        return out
    }

    @Test("GPS, capture time and camera come out of a real photo's EXIF")
    func realFacts() async throws {
        let result = try await ImageEngine(configuration: .init(presets: [.width(320)], formats: [.jpeg]))
            .render(try TestCorpus.bytes(TestCorpus.sharedImages.appendingPathComponent("real/gps_nikon_DSCN0010.jpg")))
        #expect(result.facts.gps == GPSPosition(latitude: 43.467448, longitude: 11.885127))
        #expect(result.facts.capturedAt == "2008-10-22T16:28:39")
        #expect(result.facts.camera == Camera(make: "NIKON", model: "COOLPIX P6000"))
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in self[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
