import Foundation
import TestSupport
import Testing
@testable import Imaging

@Suite struct RenditionPlanTests {
    @Test("never upscales: a 500-px photo gives nothing wider than 500")
    func neverUpscale() {
        let plan = RenditionPlan(presets: RenditionPreset.defaults, uprightWidth: 500, uprightHeight: 400)
        let sizes = Dictionary(uniqueKeysWithValues: plan.outputs.map { ($0.0.name, $0.1) })
        #expect(sizes["w1080"]! == (500, 400))
        #expect(sizes["w640"]! == (500, 400))
        #expect(sizes["w320"]! == (320, 256))
        #expect(sizes["sq150"]! == (150, 150))
        #expect(plan.base == (500, 400))
    }

    @Test("the first resize is exactly the largest rendition for a 12 MP photo")
    func twelveMegapixel() {
        let plan = RenditionPlan(presets: RenditionPreset.defaults, uprightWidth: 3024, uprightHeight: 4032)
        #expect(plan.base == (1080, 1440))
        #expect(plan.outputs.map(\.0.name) == ["w1080", "w640", "w320", "sq150"])
    }

    @Test("a panorama keeps enough height for the square")
    func panorama() {
        let plan = RenditionPlan(presets: RenditionPreset.defaults, uprightWidth: 12000, uprightHeight: 1000)
        #expect(plan.base.height >= 150)
        let square = plan.outputs.first { $0.0.name == "sq150" }!.1
        #expect(square == (150, 150))
    }

    @Test("JPEG shrink-on-load keeps at least the needed size")
    func jpegShrink() {
        #expect(ImageDecoder.jpegShrink(width: 4032, height: 3024, neededWidth: 1080, neededHeight: 810) == 2)
        #expect(ImageDecoder.jpegShrink(width: 8064, height: 6048, neededWidth: 1080, neededHeight: 810) == 4)
        #expect(ImageDecoder.jpegShrink(width: 2000, height: 1500, neededWidth: 1080, neededHeight: 810) == 1)
        // libvips rounds a shrunk side down: 1081 / 2 = 540 < 541, so no shrink (shrinking would upscale by a pixel).
        #expect(ImageDecoder.jpegShrink(width: 1081, height: 811, neededWidth: 541, neededHeight: 406) == 1)
        #expect(ImageDecoder.jpegShrink(width: 1082, height: 812, neededWidth: 541, neededHeight: 406) == 2)
        #expect(ImageDecoder.jpegShrink(width: 1, height: 1, neededWidth: 1, neededHeight: 1) == 1)
    }

    @Test("limits: default 50 MP and 16,384 a side; configurable; overflow-safe")
    func limits() {
        #expect(throws: Never.self) { try ImageLimits.default.check(width: 8000, height: 6000) }
        #expect(throws: ImagingError.self) { try ImageLimits.default.check(width: 8000, height: 7000) }
        #expect(throws: ImagingError.self) { try ImageLimits.default.check(width: 20000, height: 8) }
        #expect(throws: ImagingError.self) { try ImageLimits(maxPixels: 1_000_000).check(width: 1001, height: 1000) }
        #expect(throws: ImagingError.self) { try ImageLimits(maxPixels: .max, maxSide: .max).check(width: .max, height: 2) }
    }

    @Test("configured limits apply before decoding")
    func configuredLimits() async throws {
        let engine = ImageEngine(configuration: .init(limits: ImageLimits(maxPixels: 100_000)))
        let bytes = try TestCorpus.bytes(TestCorpus.projectImages.appendingPathComponent("orient_1.jpg"))
        let error = await #expect(throws: ImagingError.self) { try await engine.render(bytes) }
        #expect(error?.code == .tooManyPixels)
    }
}
