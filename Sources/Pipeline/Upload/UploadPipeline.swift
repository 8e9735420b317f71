import CoreMetrics
import Logging
import NIOCore
import Storage
import Imaging

/// The synchronous upload path: Receive → Process → Store → Metadata → Publish.
///
/// Failure leaves nothing behind: a rejected upload never reaches the store; a metadata write that certainly failed
/// deletes the objects it stored (one whose outcome is unknown leaves them to the orphan sweeper); an upload whose
/// bytes the owner already has returns that media (the race of two identical uploads is settled by the unique index,
/// and the loser removes its objects).
public struct UploadPipeline: Sendable {
    public let receive: ReceiveStage
    public let process: ProcessStage
    public let store: StoreStage
    public let metadata: MetadataStage
    public let publish: PublishStage
    public let postgres: ShardedPostgres
    public let metrics: UploadMetrics
    /// Only ``Failpoints/Point/uploadStallAfterStore`` matters here.
    public let failpoints: Failpoints

    public init(
        receive: ReceiveStage, process: ProcessStage, store: StoreStage, metadata: MetadataStage, publish: PublishStage,
        postgres: ShardedPostgres, metrics: UploadMetrics, failpoints: Failpoints = .none
    ) {
        self.failpoints = failpoints
        self.receive = receive
        self.process = process
        self.store = store
        self.metadata = metadata
        self.publish = publish
        self.postgres = postgres
        self.metrics = metrics
    }

    public func upload(_ request: UploadRequest, logger: Logger) async throws -> UploadOutcome {
        metrics.bytesIn.increment(by: request.bytes.readableBytes)
        do {
            let outcome = try await run(request, logger: logger)
            switch outcome {
            case .created: metrics.recordOutcome("created")
            case .existing: metrics.recordOutcome("duplicate")
            }
            return outcome
        } catch where Self.isCancellation(error) {
            // A client that went away is not a failure of ours, whichever stage noticed it; the caller, which also sees
            // cancellations before the pipeline runs, counts it.
            throw error
        } catch let error as PipelineError {
            metrics.recordOutcome(error.code == .overloaded ? "overloaded" : "rejected_\(error.code)")
            throw error
        } catch {
            metrics.recordOutcome("failed")
            throw error
        }
    }

    private func run(_ request: UploadRequest, logger: Logger) async throws -> UploadOutcome {
        let received = try await timed("receive") { () async throws(PipelineError) in try await receive.inspect(request.bytes) }
        let repository = metadata.media
        if let existing = try await repository.existing(owner: request.owner, contentSHA256: received.sha256, logger: logger) {
            return .existing(existing)
        }
        // The id comes first so the object keys can name it; an id minted for an upload that then fails is simply unused.
        let mediaID = try await postgres.mintID(shard: request.owner.shard, logger: logger)

        let share = try await timed("admission") { () async throws(PipelineError) in try await receive.admit(received) }
        let rendered: RenderResult
        do {
            rendered = try await timed("process") { () async throws(PipelineError) in
                try await process.process(request.bytes, filter: request.filter)
            }
        } catch {
            await receive.budget.release(share)
            throw error
        }
        await receive.budget.release(share)

        let stored = try await timed("store") {
            try await store.store(
                mediaID: mediaID, original: request.bytes, originalDigest: received.digest, renditions: rendered.renditions, logger: logger)
        }
        metrics.bytesOut.increment(by: rendered.renditions.reduce(0) { $0 + $1.bytes.count })

        if failpoints.isArmed(.uploadStallAfterStore) {
            logger.warning("failpoint upload.stall_after_store: stalled for good after Store", metadata: ["media.id": "\(mediaID)"])
            while true { try await Task.sleep(for: .seconds(3600)) }
        }

        let facts = rendered.facts
        let exifGPS = facts.gps.map { MediaLocation(latitude: $0.latitude, longitude: $0.longitude) }
        let new = NewMedia(
            id: mediaID, ownerID: request.owner, contentSHA256: received.sha256, caption: request.caption,
            hashtags: HashtagParser.tags(in: request.caption), filter: request.filter.name, width: facts.width, height: facts.height,
            blurhash: facts.blurhash,
            location: request.location.resolved(exifGPS: exifGPS), exifLocation: exifGPS,
            capturedAt: MetadataStage.captureDate(facts.capturedAt), cameraMake: facts.camera?.make, cameraModel: facts.camera?.model,
            renditions: stored.renditions)
        let written: MediaRepository.InsertOutcome
        do {
            written = try await timed("metadata") { try await metadata.write(new, crosspost: request.crosspost, logger: logger) }
        } catch {
            // Certainly not committed (the repository settles lost answers): no row points at the objects.
            await store.remove(stored.keys, logger: logger)
            throw error
        }
        switch written {
        case let .unknown(error):
            // A row may point at the objects; the orphan sweeper removes them if it turns out none does.
            logger.warning("metadata outcome unknown; objects left for the orphan sweeper", metadata: [
                "media.id": "\(mediaID)", "error": "\(String(reflecting: error))",
            ])
            throw error
        case let .committedAfterLostAnswer(record):
            // Committed: the upload succeeded. Its outbox rows wait for the relay.
            return .created(record, published: false)
        case let .duplicate(existing):
            // A concurrent identical upload committed first: ours is redundant.
            await store.remove(stored.keys, logger: logger)
            return .existing(existing)
        case let .created(record, rows):
            let published = await timed("publish") { await publish.publish(rows, logger: logger) }
            return .created(record, published: published)
        }
    }

    /// The task was cancelled (the client disconnected), however the stage that noticed reported it.
    public static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || (error as? PipelineError)?.code == .cancelled || Task.isCancelled
    }

    private func timed<T>(_ stage: String, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { metrics.recordStage(stage, ContinuousClock.now - start) }
        return try await body()
    }

    private func timed<T>(_ stage: String, _ body: () async throws(PipelineError) -> T) async throws(PipelineError) -> T {
        let start = ContinuousClock.now
        defer { metrics.recordStage(stage, ContinuousClock.now - start) }
        return try await body()
    }

    private func timed<T>(_ stage: String, _ body: () async -> T) async -> T {
        let start = ContinuousClock.now
        defer { metrics.recordStage(stage, ContinuousClock.now - start) }
        return await body()
    }
}
