/// Outbox payloads, one type per topic. Field names are the wire format (JSON in `outbox.payload` and the stream
/// entry's `payload` field); ids are strings (``ShardedID`` encodes as one).

/// `feed` and `push`: a new media to announce to the owner's followers. `cursor` is the follower id after which a
/// chunked fan-out continues (nil for the first chunk).
public struct MediaPublishedJob: Codable, Sendable, Hashable {
    public var mediaID: ShardedID
    public var ownerID: ShardedID
    public var cursor: ShardedID?

    public init(mediaID: ShardedID, ownerID: ShardedID, cursor: ShardedID? = nil) {
        self.mediaID = mediaID
        self.ownerID = ownerID
        self.cursor = cursor
    }

    enum CodingKeys: String, CodingKey {
        case mediaID = "media_id", ownerID = "owner_id", cursor
    }
}

/// `geo`: index a located media.
public struct GeoJob: Codable, Sendable, Hashable {
    public var mediaID: ShardedID
    public var latitude: Double
    public var longitude: Double

    public init(mediaID: ShardedID, latitude: Double, longitude: Double) {
        self.mediaID = mediaID
        self.latitude = latitude
        self.longitude = longitude
    }

    enum CodingKeys: String, CodingKey {
        case mediaID = "media_id", latitude = "lat", longitude = "lng"
    }
}

/// `crosspost`: post the media to one linked network.
public struct CrosspostJob: Codable, Sendable, Hashable {
    public var mediaID: ShardedID
    public var ownerID: ShardedID
    public var network: String

    public init(mediaID: ShardedID, ownerID: ShardedID, network: String) {
        self.mediaID = mediaID
        self.ownerID = ownerID
        self.network = network
    }

    enum CodingKeys: String, CodingKey {
        case mediaID = "media_id", ownerID = "owner_id", network
    }
}

/// `cleanup`: a deleted media; remove its objects (keys listed, so the worker needs no row) and its traces.
public struct MediaDeletedJob: Codable, Sendable, Hashable {
    public var mediaID: ShardedID
    public var ownerID: ShardedID
    public var keys: [String]

    public init(mediaID: ShardedID, ownerID: ShardedID, keys: [String]) {
        self.mediaID = mediaID
        self.ownerID = ownerID
        self.keys = keys
    }

    enum CodingKeys: String, CodingKey {
        case mediaID = "media_id", ownerID = "owner_id", keys
    }
}

/// `follow`: `followerID` started (`following` true) or stopped following `targetID`.
public struct FollowChangedJob: Codable, Sendable, Hashable {
    public var followerID: ShardedID
    public var targetID: ShardedID
    public var following: Bool

    public init(followerID: ShardedID, targetID: ShardedID, following: Bool) {
        self.followerID = followerID
        self.targetID = targetID
        self.following = following
    }

    enum CodingKeys: String, CodingKey {
        case followerID = "follower_id", targetID = "target_id", following
    }
}

/// `activity`: something `actorID` did that concerns `recipientID` (`kind`: `like`, `comment`, `follow`).
public struct ActivityJob: Codable, Sendable, Hashable {
    public var recipientID: ShardedID
    public var actorID: ShardedID
    public var kind: String
    public var mediaID: ShardedID?
    public var commentID: ShardedID?

    public init(recipientID: ShardedID, actorID: ShardedID, kind: String, mediaID: ShardedID? = nil, commentID: ShardedID? = nil) {
        self.recipientID = recipientID
        self.actorID = actorID
        self.kind = kind
        self.mediaID = mediaID
        self.commentID = commentID
    }

    enum CodingKeys: String, CodingKey {
        case recipientID = "recipient_id", actorID = "actor_id", kind, mediaID = "media_id", commentID = "comment_id"
    }
}
