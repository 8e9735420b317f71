import Foundation
import TestSupport
import Testing
@testable import Imaging

@Suite struct FilterTests {
    static let configuration = RenderConfiguration(presets: [.width(320)], formats: [.jpeg])
    static let photo = TestCorpus.sharedImages.appendingPathComponent("real/gps_nikon_DSCN0010.jpg")

    static func render(_ filter: Filter) async throws -> Rendition {
        try await ImageEngine(configuration: configuration).render(try TestCorpus.bytes(photo), filter: filter).renditions[0]
    }

    @Test("at least ten looks besides normal, unique names, each documented")
    func catalog() {
        let names = Filter.catalog.map(\.name)
        #expect(names.first == "normal")
        #expect(names.count >= 11)
        #expect(Set(names).count == names.count)
        #expect(Filter.catalog.allSatisfy { !$0.summary.isEmpty && !$0.summary.contains("\n") })
        #expect(Filter.catalog.dropFirst().allSatisfy { !$0.steps.isEmpty })
    }

    @Test("an unknown name is unknown_filter")
    func unknown() {
        #expect(throws: ImagingError.self) { try Filter.named("sepia-deluxe") }
        #expect((try? Filter.named("xpro2"))?.name == "xpro2")
    }

    @Test("each filter changes the image and is stable run to run", arguments: Filter.catalog.dropFirst().map(\.name))
    func changesAndDeterministic(_ name: String) async throws {
        let filter = try Filter.named(name)
        let normal = try await ImageProbe.inspect(try await Self.render(.normal).bytes)
        let first = try await Self.render(filter)
        let second = try await Self.render(filter)
        #expect(first.bytes == second.bytes, "\(name) is not deterministic")
        let filtered = try await ImageProbe.inspect(first.bytes)
        let change = ImageProbe.meanDiff(normal.thumbnail, filtered.thumbnail)
        #expect(change > 3, "\(name) changes the image by only \(change) levels on average")
        #expect(filtered.width == normal.width && filtered.height == normal.height)
    }

    @Test("black-and-white looks give grey pixels", arguments: ["moon", "inkwell"])
    func monochrome(_ name: String) async throws {
        let probe = try await ImageProbe.inspect(try await Self.render(try Filter.named(name)).bytes)
        let worst = stride(from: 0, to: probe.thumbnail.count, by: 3).map { index in
            let pixel = probe.thumbnail[index..<(index + 3)]
            return Int(pixel.max()!) - Int(pixel.min()!)
        }.max() ?? 0
        #expect(worst <= 6, "\(name) leaves colour: max channel spread \(worst)")
    }

    @Test("the vignette mask is symmetric, so filtering before the EXIF rotation is safe")
    func vignetteSymmetry() {
        let (width, height) = (9, 6)
        let mask = FilterStep.vignetteMask(width: width, height: height, strength: 0.4)
        for y in 0..<height {
            for x in 0..<width {
                #expect(abs(mask[y * width + x] - mask[(height - 1 - y) * width + (width - 1 - x)]) < 1e-6)
                #expect(abs(mask[y * width + x] - mask[y * width + (width - 1 - x)]) < 1e-6)
            }
        }
        #expect(mask[0] < mask[(height / 2) * width + width / 2])
    }
}
