import Foundation
import TestSupport
import Testing
@testable import Imaging

/// 200 renders in a row must not grow the process: libvips' cache is off and every image is released per render.
/// Bound: VmRSS may grow by at most 48 MB between render 20 and render 220 (a leak of one 640×480 decode per render
/// would be ~180 MB). RSS is the whole process', so `make test` runs this suite alone, in its second phase
/// (`swift test --skip-build --filter MemoryTests` does the same by hand).
@Suite(.serialized) struct MemoryTests {
    static func residentMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kilobytes / 1024
    }

    @Test("200 renders in a row stay within 48 MB of RSS growth", .timeLimit(.minutes(5)))
    func rssStaysBounded() async throws {
        let bytes = try TestCorpus.bytes(TestCorpus.sharedImages.appendingPathComponent("real/gps_nikon_DSCN0010.jpg"))
        let engine = ImageEngine()
        for _ in 0..<20 { _ = try await engine.render(bytes) }
        let before = Self.residentMegabytes()
        for _ in 0..<200 { _ = try await engine.render(bytes) }
        let after = Self.residentMegabytes()
        print("RSS after 20 warm-up renders: \(before) MB; after 200 more: \(after) MB; growth \(after - before) MB")
        #expect(before > 0)
        #expect(after - before < 48)
    }
}
