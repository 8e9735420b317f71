/// The schema, as an ordered list of versions. Never edit a released migration: append a new one.
///
/// Ids are `bigint` (``ShardedID``), times `timestamptz`. Foreign keys exist only between rows of
/// the same shard (a user's media, a media's likes); references to other users' ids cross shards
/// and are checked by the application. Tables minting ids check that the id's shard bits name
/// their own schema, so a row written to the wrong shard fails loudly instead of hiding.
public enum Migrations {
    public static let all: [Migration] = [
        v0001Outbox,
        v0002UsernameDirectory,
        v0003IDs,
        v0004UsersAndMedia,
        v0005Social,
        v0006DevicesAndLinkedAccounts,
        v0007PrivateExifLocation,
    ]

    /// The newest version, i.e. what a fully migrated deployment is at.
    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }

    // MARK: - Server (every physical server, schema public)

    /// Outbox rows are written in the same transaction as the change they announce, on the same
    /// server. Each server's id sequence starts in its own 2^50 block, so outbox ids are unique
    /// across servers and usable as idempotency keys by the workers.
    static let v0001Outbox = Migration(version: 1, name: "outbox", kind: .server) { target in
        [
            """
            CREATE TABLE public.outbox (
                id bigserial PRIMARY KEY,
                shard integer NOT NULL CHECK (shard BETWEEN 0 AND \(ShardedID.shardLimit - 1)),
                topic text NOT NULL CHECK (topic <> ''),
                payload jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                published_at timestamptz,
                attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0)
            )
            """,
            "CREATE INDEX outbox_unpublished_idx ON public.outbox (id) WHERE published_at IS NULL",
            "SELECT setval('public.outbox_id_seq', \(Int64(target.server) << 50 + 1), false)",
        ]
    }

    // MARK: - Directory (first server only)

    /// Username → user id. The primary key keeps the spelling the user chose; the unique index on
    /// lower(username) makes names case-insensitively unique (look up with `lower(username) = lower($1)`).
    static let v0002UsernameDirectory = Migration(version: 2, name: "username directory", kind: .directory) { _ in
        [
            """
            CREATE TABLE public.usernames (
                username text PRIMARY KEY CHECK (username <> ''),
                user_id bigint NOT NULL UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE UNIQUE INDEX usernames_lower_key ON public.usernames (lower(username))",
        ]
    }

    // MARK: - Shards (every logical shard's schema)

    /// Instagram's `next_id()`: 41 bits ms since 2024-01-01 | 13 bits shard | 10 bits sequence.
    /// One change: when the 10-bit sequence wraps, the caller waits for the next millisecond, so
    /// ids minted one after another never go backwards within a millisecond. Limits (as
    /// Instagram's): 1024 ids per millisecond per shard, and a clock that does not step back.
    static let v0003IDs = Migration(version: 3, name: "id generator", kind: .shard) { target in
        let s = target.schema!
        return [
            "CREATE SEQUENCE \(s).id_seq AS bigint MINVALUE 0 MAXVALUE \(ShardedID.sequenceLimit - 1) START 0 CYCLE",
            """
            CREATE FUNCTION \(s).next_id(OUT result bigint) LANGUAGE plpgsql VOLATILE AS $fn$
            DECLARE
                our_epoch CONSTANT bigint := \(ShardedID.epochMilliseconds); -- 2024-01-01T00:00:00Z
                shard_id CONSTANT bigint := \(s.shard);
                seq_id bigint;
                now_millis bigint;
                wrap_millis bigint;
            BEGIN
                seq_id := nextval('\(s).id_seq');
                now_millis := floor(extract(epoch FROM clock_timestamp()) * 1000);
                IF seq_id = 0 THEN
                    wrap_millis := now_millis;
                    WHILE now_millis <= wrap_millis LOOP
                        now_millis := floor(extract(epoch FROM clock_timestamp()) * 1000);
                    END LOOP;
                END IF;
                result := ((now_millis - our_epoch) << 23) | (shard_id << 10) | seq_id;
            END
            $fn$
            """,
        ]
    }

    static let v0004UsersAndMedia = Migration(version: 4, name: "users and media", kind: .shard) { target in
        let s = target.schema!
        return [
            """
            CREATE TABLE \(s).users (
                id bigint PRIMARY KEY DEFAULT \(s).next_id() \(shardCheck("id", s)),
                username text NOT NULL CHECK (username <> ''),
                display_name text NOT NULL DEFAULT '',
                password_hash text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                follower_count bigint NOT NULL DEFAULT 0,
                following_count bigint NOT NULL DEFAULT 0,
                media_count bigint NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE \(s).media (
                id bigint PRIMARY KEY DEFAULT \(s).next_id() \(shardCheck("id", s)),
                owner_id bigint NOT NULL REFERENCES \(s).users (id),
                content_sha256 bytea NOT NULL CHECK (octet_length(content_sha256) = 32),
                caption text NOT NULL DEFAULT '',
                filter text NOT NULL DEFAULT 'none',
                width integer NOT NULL CHECK (width > 0),
                height integer NOT NULL CHECK (height > 0),
                blurhash text,
                lat double precision CHECK (lat BETWEEN -90 AND 90),
                lng double precision CHECK (lng BETWEEN -180 AND 180),
                captured_at timestamptz,
                camera_make text,
                camera_model text,
                renditions jsonb NOT NULL,
                like_count bigint NOT NULL DEFAULT 0,
                comment_count bigint NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now(),
                deleted_at timestamptz,
                CONSTRAINT media_location_pair CHECK ((lat IS NULL) = (lng IS NULL))
            )
            """,
            // An upload retried with the same bytes finds its row: ON CONFLICT (owner_id, content_sha256) WHERE deleted_at IS NULL.
            "CREATE UNIQUE INDEX media_owner_content_key ON \(s).media (owner_id, content_sha256) WHERE deleted_at IS NULL",
            "CREATE INDEX media_owner_id_idx ON \(s).media (owner_id, id DESC)",
            """
            CREATE TABLE \(s).media_hashtags (
                tag text NOT NULL CHECK (tag <> ''),
                media_id bigint NOT NULL REFERENCES \(s).media (id) ON DELETE CASCADE,
                PRIMARY KEY (tag, media_id)
            )
            """,
            "CREATE INDEX media_hashtags_media_idx ON \(s).media_hashtags (media_id)",
        ]
    }

    /// Follow edges are stored twice, each side on its own user's shard: `followers` on the
    /// followed user's shard (fan-out reads it), `following` on the follower's (feed reads it).
    static let v0005Social = Migration(version: 5, name: "follows, likes, comments", kind: .shard) { target in
        let s = target.schema!
        return [
            """
            CREATE TABLE \(s).followers (
                user_id bigint NOT NULL REFERENCES \(s).users (id) ON DELETE CASCADE,
                follower_id bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (user_id, follower_id),
                CHECK (user_id <> follower_id)
            )
            """,
            """
            CREATE TABLE \(s).following (
                user_id bigint NOT NULL REFERENCES \(s).users (id) ON DELETE CASCADE,
                target_id bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (user_id, target_id),
                CHECK (user_id <> target_id)
            )
            """,
            """
            CREATE TABLE \(s).likes (
                media_id bigint NOT NULL REFERENCES \(s).media (id) ON DELETE CASCADE,
                user_id bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (media_id, user_id)
            )
            """,
            """
            CREATE TABLE \(s).comments (
                id bigint PRIMARY KEY DEFAULT \(s).next_id() \(shardCheck("id", s)),
                media_id bigint NOT NULL REFERENCES \(s).media (id) ON DELETE CASCADE,
                author_id bigint NOT NULL,
                body text NOT NULL CHECK (body <> ''),
                created_at timestamptz NOT NULL DEFAULT now(),
                deleted_at timestamptz
            )
            """,
            "CREATE INDEX comments_media_id_idx ON \(s).comments (media_id, id DESC)",
        ]
    }

    static let v0006DevicesAndLinkedAccounts = Migration(version: 6, name: "devices and linked accounts", kind: .shard) { target in
        let s = target.schema!
        return [
            """
            CREATE TABLE \(s).devices (
                user_id bigint NOT NULL REFERENCES \(s).users (id) ON DELETE CASCADE,
                token text NOT NULL CHECK (token <> ''),
                environment text NOT NULL CHECK (environment IN ('production', 'sandbox')),
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (user_id, token)
            )
            """,
            """
            CREATE TABLE \(s).linked_accounts (
                user_id bigint NOT NULL REFERENCES \(s).users (id) ON DELETE CASCADE,
                network text NOT NULL CHECK (network <> ''),
                external_id text NOT NULL,
                access_token text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (user_id, network)
            )
            """,
        ]
    }

    /// The photo's own EXIF GPS, kept apart from the public `lat`/`lng`: only the owner reads it, and nothing
    /// (geo index, other users' reads) ever sees it. Rows written before this version keep their `lat`/`lng` as they
    /// are: whether those came from the form or from EXIF was never recorded. Written to be re-runnable (`IF NOT
    /// EXISTS`), so a schema restored or moved half-migrated still converges.
    static let v0007PrivateExifLocation = Migration(version: 7, name: "private exif location", kind: .shard) { target in
        let s = target.schema!
        return [
            """
            ALTER TABLE \(s).media
                ADD COLUMN IF NOT EXISTS exif_lat double precision CHECK (exif_lat BETWEEN -90 AND 90),
                ADD COLUMN IF NOT EXISTS exif_lng double precision CHECK (exif_lng BETWEEN -180 AND 180)
            """,
            """
            DO $do$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                               WHERE conname = 'media_exif_location_pair' AND conrelid = '\(s).media'::regclass) THEN
                    ALTER TABLE \(s).media ADD CONSTRAINT media_exif_location_pair CHECK ((exif_lat IS NULL) = (exif_lng IS NULL));
                END IF;
            END $do$
            """,
        ]
    }

    /// `CHECK` that an id's shard bits name this schema's shard.
    private static func shardCheck(_ column: String, _ schema: ShardSchema) -> String {
        "CHECK (((\(column) >> \(ShardedID.sequenceBits)) & \(ShardedID.shardLimit - 1)) = \(schema.shard))"
    }
}
