import Hub
import WireJSON

extension JSONValue {
    /// Element `index` of an array, nil otherwise (tests read listings with it).
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
