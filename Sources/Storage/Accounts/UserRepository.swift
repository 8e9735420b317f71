import Foundation
import Logging
import PostgresNIO

/// Accounts on the sharded tier: the directory (`public.usernames` on the directory server) maps names to ids, and
/// the `users` row lives on the shard its id names.
///
/// Signup reserves the name in the directory first, then writes the user row; if that write fails the reservation
/// is deleted again. A crash between the two leaves a reservation without a user row: nobody can log in with it
/// (lookups find no row), and once it is older than `staleReservationAge` the next signup for that name reclaims it.
public struct UserRepository: UserStore {
    public let postgres: ShardedPostgres
    /// Long enough that a signup still in flight (directory written, user row not yet) is never reclaimed.
    public var staleReservationAge: Duration

    public init(postgres: ShardedPostgres, staleReservationAge: Duration = .seconds(300)) {
        self.postgres = postgres
        self.staleReservationAge = staleReservationAge
    }

    public func create(_ user: NewUser, logger: Logger) async throws -> UserRecord {
        let shard = postgres.shardMap.shardForNewUser(username: user.username)
        let id = try await postgres.mintID(shard: shard, logger: logger)
        if try await !reserve(user.username, id: id, logger: logger) {
            guard try await reclaimStaleReservation(user.username, logger: logger),
                  try await reserve(user.username, id: id, logger: logger)
            else { throw StorageError(.alreadyExists, "username is taken") }
        }
        do {
            let rows = try await postgres.query(shard: shard, logger: logger) { schema in
                """
                INSERT INTO \(schema).users (id, username, display_name, password_hash)
                VALUES (\(id), \(user.username), \(user.displayName), \(user.passwordHash))
                RETURNING created_at
                """
            }
            guard let row = rows.first else { throw StorageError(.protocolError, "INSERT users returned no row") }
            let createdAt = try decode(row, as: Date.self, shard: shard)
            return UserRecord(id: id, username: user.username, displayName: user.displayName, passwordHash: user.passwordHash, createdAt: createdAt)
        } catch {
            await release(user.username, id: id, logger: logger, after: error)
            throw error
        }
    }

    public func user(id: ShardedID, logger: Logger) async throws -> UserRecord? {
        // An id naming a shard outside the map is simply nobody's, not a server fault.
        guard postgres.shardMap.allShards.contains(id.shard) else { return nil }
        let rows = try await postgres.query(shard: id.shard, logger: logger) { schema in
            "SELECT \(unescaped: Self.columns) FROM \(schema).users WHERE id = \(id)"
        }
        guard let row = rows.first else { return nil }
        return try decodeRecord(row, shard: id.shard)
    }

    /// Several users, one query per server holding them, in the order asked; unknown ids left out.
    public func users(ids: [ShardedID], logger: Logger) async throws -> [UserRecord] {
        try await postgres.records(ids: ids, logger: logger, id: \UserRecord.id, decode: { try decodeRecord($0, shard: nil) }) { schema, values in
            "SELECT \(unescaped: Self.columns) FROM \(schema).users WHERE id = ANY(\(values))"
        }
    }

    static let columns = "id, username, display_name, password_hash, created_at, follower_count, following_count, media_count"

    private func decodeRecord(_ row: PostgresRow, shard: Int?) throws -> UserRecord {
        let (id, username, displayName, hash, createdAt, followers, following, media) = try decode(
            row, as: (ShardedID, String, String, String, Date, Int64, Int64, Int64).self, shard: shard)
        return UserRecord(
            id: id, username: username, displayName: displayName, passwordHash: hash, createdAt: createdAt,
            followerCount: followers, followingCount: following, mediaCount: media)
    }

    public func user(username: String, logger: Logger) async throws -> UserRecord? {
        guard let id = try await directoryEntry(username, logger: logger)?.id else { return nil }
        return try await user(id: id, logger: logger)
    }

    // MARK: - Directory

    /// `false` when the name (case-insensitively) is already in the directory.
    private func reserve(_ username: String, id: ShardedID, logger: Logger) async throws -> Bool {
        let rows = try await postgres.query(
            "INSERT INTO public.usernames (username, user_id) VALUES (\(username), \(id)) ON CONFLICT DO NOTHING RETURNING user_id",
            server: postgres.shardMap.directoryServer, logger: logger
        )
        return !rows.isEmpty
    }

    private func directoryEntry(_ username: String, logger: Logger) async throws -> (id: ShardedID, isStale: Bool)? {
        let seconds = Double(staleReservationAge.components.seconds)
        let rows = try await postgres.query(
            """
            SELECT user_id, created_at < now() - make_interval(secs => \(seconds))
            FROM public.usernames WHERE lower(username) = lower(\(username))
            """,
            server: postgres.shardMap.directoryServer, logger: logger
        )
        guard let row = rows.first else { return nil }
        let (id, isStale) = try decode(row, as: (ShardedID, Bool).self, shard: nil)
        return (id, isStale)
    }

    /// Deletes a reservation left by a signup that crashed before writing its user row.
    private func reclaimStaleReservation(_ username: String, logger: Logger) async throws -> Bool {
        guard let entry = try await directoryEntry(username, logger: logger), entry.isStale,
              try await user(id: entry.id, logger: logger) == nil
        else { return false }
        logger.notice("reclaiming a username reservation without a user row", metadata: ["user.id": "\(entry.id)"])
        let rows = try await postgres.query(
            "DELETE FROM public.usernames WHERE lower(username) = lower(\(username)) AND user_id = \(entry.id) RETURNING user_id",
            server: postgres.shardMap.directoryServer, logger: logger
        )
        return !rows.isEmpty
    }

    /// Undoes a reservation whose user row could not be written. If even that fails the reservation is left
    /// behind and reclaimed later (see the type's comment); the signup's own error is what the caller sees.
    private func release(_ username: String, id: ShardedID, logger: Logger, after failure: any Error) async {
        do {
            _ = try await postgres.query(
                "DELETE FROM public.usernames WHERE username = \(username) AND user_id = \(id)",
                server: postgres.shardMap.directoryServer, logger: logger
            )
        } catch {
            logger.error("could not release a username reservation after a failed signup", metadata: [
                "user.id": "\(id)", "error": "\(String(reflecting: error))", "cause": "\(String(reflecting: failure))",
            ])
        }
    }

    private func decode<T: PostgresDecodable>(_ row: PostgresRow, as type: T.Type, shard: Int?) throws -> T {
        do { return try row.decode(T.self) } catch {
            throw StorageError(.protocolError, "a users/usernames row did not decode (shard \(shard.map(String.init) ?? "directory"))", underlying: error)
        }
    }

    private func decode<each T: PostgresDecodable>(_ row: PostgresRow, as type: (repeat each T).Type, shard: Int?) throws -> (repeat each T) {
        do { return try row.decode((repeat each T).self) } catch {
            throw StorageError(.protocolError, "a users/usernames row did not decode (shard \(shard.map(String.init) ?? "directory"))", underlying: error)
        }
    }
}
