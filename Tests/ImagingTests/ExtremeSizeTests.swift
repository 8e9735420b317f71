import Foundation
import TestSupport
import Testing
@testable import Imaging

/// Issue 9's sweep: tiny and extreme-aspect images (1×1 … 4000×1) in every allowed format × preset tables × filters.
/// Each must render with every rendition between 1 px and the source's size; a 1×1 JPEG once aborted the process.
@Suite struct ExtremeSizeTests {
    struct PresetTable: Sendable, CustomTestStringConvertible {
        var presets: [RenditionPreset]
        var testDescription: String { presets.map(\.name).joined(separator: "+") }
    }

    /// The production table, each of its presets alone (each alone makes a different first resize and JPEG shrink),
    /// and presets as small as the inputs.
    static let presetTables: [PresetTable] = [
        PresetTable(presets: RenditionPreset.defaults),
        PresetTable(presets: [.width(1080)]),
        PresetTable(presets: [.width(640)]),
        PresetTable(presets: [.width(320)]),
        PresetTable(presets: [.square(150)]),
        PresetTable(presets: [.width(2), .square(1)]),
    ]

    static let filters: [Filter] = [.normal, Filter.catalog[1], Filter.catalog[Filter.catalog.count - 1]]

    @Test("the extreme-size manifest is there: 6 formats × 7 sizes")
    func manifestPresent() {
        #expect(ExtremeImage.all.count == 42)
        #expect(Set(ExtremeImage.all.map(\.format)) == ["jpeg", "png", "webp", "gif", "heif", "avif"])
    }

    @Test("renders at every preset and filter: renditions 1 px or more, never upscaled, sized as declared",
          arguments: ExtremeImage.all, presetTables)
    func renders(_ image: ExtremeImage, _ table: PresetTable) async throws {
        let bytes = try TestCorpus.bytes(image.url)
        let engine = ImageEngine(configuration: .init(presets: table.presets))
        for filter in Self.filters {
            let label = "\(image.file) \(table.testDescription) \(filter.name)"
            let result: RenderResult
            do {
                result = try await engine.render(bytes, filter: filter)
            } catch {
                #expect(!image.accept && error.code.description == image.code, "\(label): \(String(reflecting: error))")
                continue
            }
            try #require(image.accept, "\(label) rendered but the manifest expects \(image.code)")
            #expect(result.facts.width == image.width && result.facts.height == image.height, "\(label) facts")
            #expect(result.renditions.count == table.presets.count * 2, "\(label)")
            for rendition in result.renditions {
                let expected = expectedSize(of: rendition.name, uprightWidth: image.width, uprightHeight: image.height)
                let what = "\(label) \(rendition.name).\(rendition.format)"
                #expect(rendition.width == expected.width && rendition.height == expected.height,
                        "\(what): \(rendition.width)x\(rendition.height), expected \(expected)")
                #expect(rendition.width >= 1 && rendition.height >= 1 && rendition.width <= image.width && rendition.height <= image.height)
                let probe = try await ImageProbe.inspect(rendition.bytes)
                #expect(probe.width == rendition.width && probe.height == rendition.height, "\(what) encodes \(probe.width)x\(probe.height)")
            }
        }
    }

    @Test("JPEG shrink-on-load never leaves a side below what is needed, or 0 (libvips rounds a shrunk side down)")
    func jpegShrinkNeverUndershoots() {
        for width in 1...48 {
            for height in 1...48 {
                for needed in [(1, 1), (width, height), (max(1, width / 2), max(1, height / 3)), (max(1, width / 9), max(1, height / 8))] {
                    let shrink = ImageDecoder.jpegShrink(width: width, height: height, neededWidth: needed.0, neededHeight: needed.1)
                    #expect(width / shrink >= needed.0 && height / shrink >= needed.1 && width / shrink >= 1 && height / shrink >= 1,
                            "\(width)x\(height) needing \(needed) got shrink \(shrink)")
                }
            }
        }
    }

    @Test("the rendition plan never asks for 0 px or more than the source", arguments: presetTables)
    func planStaysInBounds(_ table: PresetTable) {
        let sides = [1, 2, 3, 7, 8, 9, 149, 150, 151, 319, 321, 1079, 1081, 4000, 16_384]
        for width in sides {
            for height in sides {
                let plan = RenditionPlan(presets: table.presets, uprightWidth: width, uprightHeight: height)
                #expect(plan.base.width >= 1 && plan.base.height >= 1 && plan.base.width <= width && plan.base.height <= height,
                        "\(width)x\(height): base \(plan.base)")
                for (preset, size) in plan.outputs {
                    #expect(size.width >= 1 && size.height >= 1 && size.width <= width && size.height <= height,
                            "\(width)x\(height) \(preset.name): \(size)")
                    // Every rendition is cut from the first resize: it must cover each of them.
                    #expect(size.width <= plan.base.width && size.height <= plan.base.height, "\(width)x\(height) \(preset.name) vs base")
                }
            }
        }
    }
}
