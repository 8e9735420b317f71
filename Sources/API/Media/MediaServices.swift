import Runtime
import CoreMetrics
import Foundation
import Logging
import Pipeline
import Storage
import Imaging

/// What the media routes and the CDN origin need.
public struct MediaServices: Sendable {
    public var pipeline: UploadPipeline
    public var repository: MediaRepository
    public var objectStore: any ObjectStore
    public var publisher: PublishStage
    /// Rendition URLs are built on this (the CDN in production, this server locally).
    public var cdnBaseURL: String
    /// Largest accepted request body (413 above it).
    public var maxUploadBytes: Int
    /// Hot rendition bytes of the CDN origin.
    public var renditionCache: RenditionCache
    /// Verifies (and makes) time-limited origin links.
    public var urlSigner: URLSigner
    /// The render worker pool the process stage uses: a Service, run it with the others.
    public var renderPool: RenderWorkerPool { pipeline.process.pool }

    public init(
        pipeline: UploadPipeline, repository: MediaRepository, objectStore: any ObjectStore, publisher: PublishStage, cdnBaseURL: String,
        maxUploadBytes: Int, renditionCache: RenditionCache = RenditionCache(capacityBytes: 0),
        urlSigner: URLSigner = URLSigner(secrets: [])
    ) {
        self.pipeline = pipeline
        self.repository = repository
        self.objectStore = objectStore
        self.publisher = publisher
        self.cdnBaseURL = cdnBaseURL
        self.maxUploadBytes = maxUploadBytes
        self.renditionCache = renditionCache
        self.urlSigner = urlSigner
    }

    /// The production wiring over the process's clients.
    /// `metricsFactory` receives the origin cache's metrics (the process's bootstrapped one by default).
    public init(
        dependencies: DarkroomDependencies, configuration: DarkroomConfiguration, metrics: UploadMetrics, logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        let repository = MediaRepository(postgres: dependencies.postgres, failpoints: configuration.failpoints)
        let upload = configuration.upload
        let budget = MegapixelBudget(capacity: upload.megapixelBudget) { inUse in
            metrics.budgetInUse.record(Double(inUse) / 1_000_000)
        }
        let publisher = PublishStage(publisher: OutboxPublisher(postgres: dependencies.postgres, redis: dependencies.redis))
        let pipeline = UploadPipeline(
            receive: ReceiveStage(limits: ImageLimits(), budget: budget, admissionWait: upload.admissionWait),
            process: ProcessStage(pool: RenderWorkerPool(
                configuration: configuration.renderWorkers.poolConfiguration,
                environment: ProcessInfo.processInfo.environment, logger: logger, metrics: metrics.factory)),
            store: StoreStage(objectStore: dependencies.objectStore),
            metadata: MetadataStage(media: repository),
            publish: publisher,
            postgres: dependencies.postgres,
            metrics: metrics,
            failpoints: configuration.failpoints)
        self.init(
            pipeline: pipeline, repository: repository, objectStore: dependencies.objectStore, publisher: publisher,
            cdnBaseURL: configuration.cdnBaseURL, maxUploadBytes: upload.maxBytes,
            renditionCache: RenditionCache(capacityBytes: configuration.origin.cacheBytes, factory: metricsFactory),
            urlSigner: URLSigner(secrets: configuration.origin.signingKeys))
    }
}

extension DarkroomConfiguration.RenderWorkers {
    public var poolConfiguration: RenderWorkerPool.Configuration {
        RenderWorkerPool.Configuration(
            size: size, executable: executable, memoryLimitBytes: memoryLimitMB << 20, renderDeadline: deadline, maxWait: wait,
            extraEnvironment: testCrashMarker.map { [RenderWorker.testCrashMarkerVariable: $0] } ?? [:])
    }
}
