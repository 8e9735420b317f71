import Pipeline
import Storage

/// Every async stage's handler. One line per handler: a stage whose handler is listed here runs in `darkroom work`
/// and in `darkroom serve --role all`.
public enum JobHandlers {
    public static func all(dependencies: DarkroomDependencies) -> [any JobHandler] {
        [
            CleanupHandler(objectStore: dependencies.objectStore, postgres: dependencies.postgres),
        ]
    }
}
