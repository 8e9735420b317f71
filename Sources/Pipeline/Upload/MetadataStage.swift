import Foundation
import Logging
import Storage

/// Metadata: one transaction on the owner's shard writes the media row, its hashtags and one outbox row per async
/// stage. Only the public location (what the uploader chose) reaches the `geo` stage; EXIF GPS never does.
public struct MetadataStage: Sendable {
    public let media: MediaRepository

    public init(media: MediaRepository) {
        self.media = media
    }

    public func write(_ new: NewMedia, crosspost: [String], logger: Logger) async throws -> MediaRepository.InsertOutcome {
        try await media.insert(new, logger: logger) { record in try Self.jobs(for: record, crosspost: crosspost) }
    }

    /// The outbox rows a new media causes: `feed` and `push` always, `geo` when located, `crosspost` per network.
    public static func jobs(for media: MediaRecord, crosspost: [String]) throws -> [OutboxMessage] {
        let published = MediaPublishedJob(mediaID: media.id, ownerID: media.ownerID)
        var jobs = [try OutboxMessage(topic: .feed, encoding: published)]
        if let location = media.location {
            jobs.append(try OutboxMessage(topic: .geo, encoding: GeoJob(mediaID: media.id, latitude: location.latitude, longitude: location.longitude)))
        }
        for network in crosspost {
            jobs.append(try OutboxMessage(topic: .crosspost, encoding: CrosspostJob(mediaID: media.id, ownerID: media.ownerID, network: network)))
        }
        jobs.append(try OutboxMessage(topic: .push, encoding: published))
        return jobs
    }

    /// EXIF DateTimeOriginal ("2008-10-22T16:28:39", "+02:00" appended when the camera wrote an offset). Without an
    /// offset the camera's local time is unknown: it is stored as if UTC, which keeps the wall-clock reading.
    public static func captureDate(_ text: String?) -> Date? {
        guard let text else { return nil }
        let hasOffset = text.count > 19
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: hasOffset ? text : text + "Z")
    }
}
