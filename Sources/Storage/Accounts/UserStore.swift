import Logging

/// Accounts: the username directory plus each user's row on its shard.
///
/// Errors are `StorageError`s: `.alreadyExists` when the username is taken (case-insensitively), `.unavailable` /
/// `.timeout` when the directory server or the user's shard cannot answer.
public protocol UserStore: Sendable {
    func create(_ user: NewUser, logger: Logger) async throws -> UserRecord
    /// `nil` when no user has this id (also when the id names a shard that does not exist).
    func user(id: ShardedID, logger: Logger) async throws -> UserRecord?
    /// Case-insensitive; `nil` when the name is free.
    func user(username: String, logger: Logger) async throws -> UserRecord?
}
