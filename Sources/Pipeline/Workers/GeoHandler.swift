import Logging
import Storage

/// The `geo` stage: puts a located media into the place index (``GeoIndex``), at the location the job names. The
/// upload writes a `geo` job only for a *public* location, so the handler never looks at the row's other columns (a
/// private EXIF position must never reach the index).
///
/// Idempotent: GEOADD of the same member at the same point changes nothing. PostgreSQL is the truth: a media deleted
/// (or never committed) by the time the job runs is taken out instead, so a late or redelivered job cannot bring a
/// deleted media back. (A delete whose `cleanup` runs between this check and the GEOADD leaves a stale member; the
/// search never shows it, since hydration drops deleted media, and `darkroom reindex geo` drops it.)
public struct GeoHandler: JobHandler {
    public let topic = OutboxTopic.geo
    public let index: GeoIndex
    public let media: MediaRepository

    public init(index: GeoIndex, media: MediaRepository) {
        self.index = index
        self.media = media
    }

    public func handle(_ job: Job, context: JobContext) async throws {
        let payload = try job.decode(GeoJob.self)
        let location = MediaLocation(latitude: payload.latitude, longitude: payload.longitude)
        guard location.latitude.isFinite, location.longitude.isFinite, abs(location.latitude) <= 90, abs(location.longitude) <= 180 else {
            throw PipelineError(.invalidJob, "geo job \(job.outboxID) names no valid location")
        }
        var logger = context.logger
        logger[metadataKey: "media.id"] = "\(payload.mediaID)"
        guard let record = try await media.media(id: payload.mediaID, logger: logger), !record.isDeleted else {
            try await index.remove([payload.mediaID])
            logger.info("geo index skipped: the media is gone")
            return
        }
        guard GeoIndex.isIndexable(location) else {
            logger.info("geo index skipped: latitude beyond the index's ±\(GeoIndex.maxLatitude)")
            return
        }
        try await index.add([(payload.mediaID, location)])
    }
}
