import PluginAPI

/// Every plugin compiled into this binary. A new engine is one file plus one line here.
public enum PluginTable {
    public static let all: [PluginDescriptor] = [
        KokoroHTTPEngine.descriptor,
        WhisperHTTPEngine.descriptor,
        WyomingTTSEngine.descriptor,
        WyomingSTTEngine.descriptor,
        PiperEngine.descriptor,
        TmuxSpawner.descriptor,
        PTYSpawner.descriptor,
    ]
}
