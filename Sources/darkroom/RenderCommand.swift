import ArgumentParser
import Foundation
import Imaging
import Logging
import NIOCore
import Pipeline
import Runtime

/// `darkroom render`: exactly the server's image engine, on files. Used by people, tests and `make bench`.
///
/// With `--json`, prints one JSON object per input file, one per line (JSON Lines), keys sorted:
/// `{"file", "ok", "error": {"code", "message"}?, "width", "height", "format", "orientation", "icc"?, "gps": {"lat",
/// "lng"}?, "captured_at"?, "camera": {"make"?, "model"?}?, "blurhash", "cpu_ms", "wall_ms", "renditions": [{"name",
/// "format", "width", "height", "bytes", "path"?}]}`. Sizes are upright pixels; `cpu_ms` is the process' user+system
/// CPU for the render (libvips threads included) and, like `wall_ms`, the median over `--repeat` runs. A rejected file
/// has `ok: false`, `error` and the two timings only. The exit status is 1 when any file was rejected.
///
/// By default the engine runs in this process (people, benchmarks). `--isolated` renders through a one-worker
/// `RenderWorkerPool`, as the server does; `cpu_ms` then adds the worker's CPU to this process', so `make bench` can
/// put the isolation's cost next to the in-process path.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render image files through the upload engine: normalise, filter, renditions, facts.",
        discussion: "Writes <out>/<name>.<rendition>.<jpg|webp> per input; exits 1 if any input is rejected."
    )

    @Argument(help: "Image files to render.")
    var inputs: [String] = []

    @Option(name: .long, help: "Directory for the renditions (created if missing). Without it nothing is written.")
    var out: String?

    @Option(name: .long, help: "Filter to apply (see --list-filters).")
    var filter: String = "normal"

    @Flag(name: .long, help: "Print one JSON object per file (JSON Lines).")
    var json = false

    @Flag(name: .long, help: "List the filters and exit.")
    var listFilters = false

    @Option(name: .long, help: "Comma-separated rendition encodings: jpeg, webp.")
    var formats: String = "jpeg,webp"

    @Option(name: .long, help: "Render each file N times and report the median timings.")
    var `repeat`: Int = 1

    @Option(name: .long, help: "JPEG renditions at least this wide are progressive (a huge value: all baseline).")
    var progressiveMinWidth: Int = RenderConfiguration().progressiveMinWidth

    @Flag(name: .long, help: "Render in a render-worker process, as the server does (default: in this process).")
    var isolated = false

    @Option(name: .long, help: "Largest width x height accepted from the header.")
    var maxPixels: Int = ImageLimits.default.maxPixels

    @Option(name: .long, help: "Longest side accepted from the header.")
    var maxSide: Int = ImageLimits.default.maxSide

    func validate() throws {
        guard listFilters || !inputs.isEmpty else { throw ValidationError("give at least one input file") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        _ = try renditionFormats()
        do { _ = try Filter.named(filter) } catch { throw ValidationError("unknown filter \(filter); see --list-filters") }
    }

    func run() async throws {
        if listFilters {
            let width = Filter.catalog.map(\.name.count).max() ?? 0
            for filter in Filter.catalog {
                print(filter.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + filter.summary)
            }
            return
        }
        try Vips.initialize()
        let engine = ImageEngine(configuration: RenderConfiguration(
            formats: try renditionFormats(),
            limits: ImageLimits(maxPixels: maxPixels, maxSide: maxSide),
            progressiveMinWidth: progressiveMinWidth))
        let chosen = try Filter.named(filter)
        if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }

        let pool = isolated
            ? RenderWorkerPool(
                configuration: .init(size: 1), environment: ProcessInfo.processInfo.environment,
                logger: Logger(label: "darkroom.render"))
            : nil
        var rejected = 0
        for input in inputs {
            let report = await render(input, engine: engine, pool: pool, filter: chosen)
            if !report.ok { rejected += 1 }
            print(json ? try report.jsonLine() : report.text)
        }
        await pool?.shutdown()
        if rejected > 0 { throw ExitCode(1) }
    }

    private func renditionFormats() throws -> [RenditionFormat] {
        let names = formats.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let parsed = try names.map { name in
            guard let format = RenditionFormat(rawValue: name) else { throw ValidationError("unknown format \(name)") }
            return format
        }
        guard !parsed.isEmpty else { throw ValidationError("--formats needs jpeg and/or webp") }
        return parsed
    }

    private func render(_ input: String, engine: ImageEngine, pool: RenderWorkerPool?, filter: Filter) async -> RenderReport {
        guard let data = FileManager.default.contents(atPath: input) else {
            return RenderReport(file: input, error: .init(code: "unreadable_file", message: "cannot read \(input)"), cpuMs: 0, wallMs: 0)
        }
        let bytes = [UInt8](data)
        var cpu: [Double] = []
        var wall: [Double] = []
        var last: Result<RenderResult, Rejection>!
        for _ in 0..<`repeat` {
            let cpuStart = ProcessClock.cpuMilliseconds()
            let wallStart = ContinuousClock.now
            var workerCPU = 0.0
            if let pool {
                do throws(PipelineError) {
                    let measured = try await pool.renderMeasured(ByteBuffer(bytes: bytes), filter: filter, configuration: engine.configuration)
                    workerCPU = measured.workerCPUMilliseconds
                    last = .success(measured.result)
                } catch {
                    last = .failure(Rejection(code: error.code.description, message: error.message))
                }
            } else {
                do throws(ImagingError) {
                    last = .success(try await engine.render(bytes, filter: filter))
                } catch {
                    last = .failure(Rejection(code: error.code.description, message: error.message))
                }
            }
            cpu.append(ProcessClock.cpuMilliseconds() - cpuStart + workerCPU)
            wall.append((ContinuousClock.now - wallStart).milliseconds)
            if case .failure = last { break }
        }
        let cpuMs = cpu.median.rounded(toPlaces: 1)
        let wallMs = wall.median.rounded(toPlaces: 1)
        switch last! {
        case .failure(let error):
            return RenderReport(file: input, error: .init(code: error.code, message: error.message), cpuMs: cpuMs, wallMs: wallMs)
        case .success(let result):
            var renditions: [RenderReport.RenditionReport] = []
            for rendition in result.renditions {
                var path: String?
                if let out {
                    let stem = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
                    let file = (out as NSString).appendingPathComponent("\(stem).\(rendition.name).\(rendition.format.fileExtension)")
                    if FileManager.default.createFile(atPath: file, contents: Data(rendition.bytes)) {
                        path = file
                    } else {
                        return RenderReport(file: input, error: .init(code: "write_failed", message: "cannot write \(file)"), cpuMs: cpuMs, wallMs: wallMs)
                    }
                }
                renditions.append(.init(
                    name: rendition.name, format: rendition.format.rawValue, width: rendition.width, height: rendition.height,
                    bytes: rendition.bytes.count, path: path))
            }
            return RenderReport(file: input, facts: result.facts, renditions: renditions, cpuMs: cpuMs, wallMs: wallMs)
        }
    }
}

/// Why a file was not rendered, from the in-process engine or the render worker pool alike.
private struct Rejection: Error {
    var code: String
    var message: String
}

/// One line of `darkroom render` output. The JSON shape is a contract with `make bench`: add keys, never rename.
struct RenderReport: Encodable {
    struct ErrorReport: Encodable {
        var code: String
        var message: String
    }
    struct Position: Encodable {
        var lat: Double
        var lng: Double
    }
    struct RenditionReport: Encodable {
        var name: String
        var format: String
        var width: Int
        var height: Int
        var bytes: Int
        var path: String?
    }

    var file: String
    var ok: Bool
    var error: ErrorReport?
    var width: Int?
    var height: Int?
    var format: String?
    var orientation: Int?
    var icc: String?
    var gps: Position?
    var capturedAt: String?
    var camera: Camera?
    var blurhash: String?
    var cpuMs: Double
    var wallMs: Double
    var renditions: [RenditionReport]?

    enum CodingKeys: String, CodingKey {
        case file, ok, error, width, height, format, orientation, icc, gps, camera, blurhash, renditions
        case capturedAt = "captured_at"
        case cpuMs = "cpu_ms"
        case wallMs = "wall_ms"
    }

    init(file: String, error: ErrorReport, cpuMs: Double, wallMs: Double) {
        self.file = file
        ok = false
        self.error = error
        self.cpuMs = cpuMs
        self.wallMs = wallMs
    }

    init(file: String, facts: ImageFacts, renditions: [RenditionReport], cpuMs: Double, wallMs: Double) {
        self.file = file
        ok = true
        width = facts.width
        height = facts.height
        format = facts.format.rawValue
        orientation = facts.orientation
        icc = facts.icc
        gps = facts.gps.map { Position(lat: $0.latitude, lng: $0.longitude) }
        capturedAt = facts.capturedAt
        camera = facts.camera
        blurhash = facts.blurhash
        self.cpuMs = cpuMs
        self.wallMs = wallMs
        self.renditions = renditions
    }

    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var text: String {
        guard ok else {
            return "\(file): REJECTED \(error?.code ?? "?") (\(error?.message ?? "")) \(wallMs) ms"
        }
        var lines = ["\(file): \(format ?? "?") \(width ?? 0)x\(height ?? 0), orientation \(orientation ?? 1), icc \(icc ?? "none"), "
            + "blurhash \(blurhash ?? ""), \(cpuMs) ms CPU, \(wallMs) ms wall"]
        if let gps { lines.append("  gps \(gps.lat), \(gps.lng)") }
        if capturedAt != nil || camera != nil {
            lines.append("  captured \(capturedAt ?? "?") with \([camera?.make, camera?.model].compactMap { $0 }.joined(separator: " "))")
        }
        for rendition in renditions ?? [] {
            lines.append("  \(rendition.name).\(rendition.format) \(rendition.width)x\(rendition.height) \(rendition.bytes) B\(rendition.path.map { " -> \($0)" } ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}

extension Duration {
    fileprivate var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

extension Array where Element == Double {
    fileprivate var median: Double {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        let factor = (0..<places).reduce(1.0) { value, _ in value * 10 }
        return (self * factor).rounded() / factor
    }
}
