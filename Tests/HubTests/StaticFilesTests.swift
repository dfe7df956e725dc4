import Foundation
@testable import Hub
import Testing

/// A throwaway tree:
///
///     <base>/x                 a file next to the static dir, what `../x` would reach
///     <base>/secret.txt        the target of the symlink
///     <base>/static/hub.html
///     <base>/static/sub/a.js
///     <base>/static/leak.txt -> <base>/secret.txt
private struct StaticTree {
    let base: URL
    let files: StaticFiles
    /// The static directory with symlinks resolved, as `resolve` answers.
    let resolvedRoot: String

    init() throws {
        let manager = FileManager.default
        base = manager.temporaryDirectory.appendingPathComponent("clawmux-static-\(UUID().uuidString)")
        let root = base.appendingPathComponent("static")
        try manager.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("<html></html>".utf8).write(to: root.appendingPathComponent("hub.html"))
        try Data("console.log(1)".utf8).write(to: root.appendingPathComponent("sub/a.js"))
        try Data("outside".utf8).write(to: base.appendingPathComponent("x"))
        try Data("secret".utf8).write(to: base.appendingPathComponent("secret.txt"))
        try manager.createSymbolicLink(
            atPath: root.appendingPathComponent("leak.txt").path,
            withDestinationPath: base.appendingPathComponent("secret.txt").path)
        files = StaticFiles(directory: root.path)
        resolvedRoot = root.resolvingSymlinksInPath().path
    }

    func remove() {
        try? FileManager.default.removeItem(at: base)
    }
}

struct StaticFilesTests {
    @Test func servesAFileAtTheTop() throws {
        let tree = try StaticTree()
        defer { tree.remove() }
        #expect(tree.files.resolve("hub.html") == tree.resolvedRoot + "/hub.html")
    }

    @Test func servesAFileInASubdirectory() throws {
        let tree = try StaticTree()
        defer { tree.remove() }
        #expect(tree.files.resolve("sub/a.js") == tree.resolvedRoot + "/sub/a.js")
    }

    @Test func percentEncodedNameIsDecoded() throws {
        let tree = try StaticTree()
        defer { tree.remove() }
        #expect(tree.files.resolve("hub%2Ehtml") == tree.resolvedRoot + "/hub.html")
    }

    @Test(arguments: ["../x", "%2e%2e/x", "..%2fx", "%2E%2E%2Fx", "sub/../../x", "sub/../hub.html", "./hub.html"])
    func dotSegmentsAreRefused(_ path: String) throws {
        let tree = try StaticTree()
        defer { tree.remove() }
        #expect(tree.files.resolve(path) == nil)
    }

    @Test(arguments: ["/etc/passwd", "a//b", "sub//a.js", "sub/", "", "hub.html%00.js", "%zz", "sub\\a.js"])
    func malformedPathsAreRefused(_ path: String) throws {
        let tree = try StaticTree()
        defer { tree.remove() }
        #expect(tree.files.resolve(path) == nil)
    }

    @Test func symlinkLeadingOutsideIsRefused() throws {
        let tree = try StaticTree()
        defer { tree.remove() }
        // The link exists and its target is readable: only the containment check stops it.
        #expect(FileManager.default.contents(atPath: tree.base.appendingPathComponent("static/leak.txt").path) != nil)
        #expect(tree.files.resolve("leak.txt") == nil)
    }

    @Test func directoryIsRefused() throws {
        let tree = try StaticTree()
        defer { tree.remove() }
        #expect(tree.files.resolve("sub") == nil)
    }

    @Test func missingFileIsRefused() throws {
        let tree = try StaticTree()
        defer { tree.remove() }
        #expect(tree.files.resolve("nope.html") == nil)
    }

    @Test func contentTypeFollowsTheExtension() {
        #expect(StaticFiles.contentType(of: "/s/hub.html") == "text/html; charset=utf-8")
        #expect(StaticFiles.contentType(of: "/s/app.JS") == "text/javascript; charset=utf-8")
        #expect(StaticFiles.contentType(of: "/s/blob") == "application/octet-stream")
    }
}
