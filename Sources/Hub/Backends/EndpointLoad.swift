/// Which endpoint of a pool (`urls:` / `uris:`) takes the next request: a healthy one with the
/// fewest requests in flight, of equals the one that started a request longest ago (idle
/// endpoints take turns); when every one is down, the down ones as a last resort (a probe may not
/// have noticed one came back). Pure: the pool tells it what happened.
struct EndpointLoad: Sendable, Equatable {
    struct Endpoint: Sendable, Equatable {
        var inFlight = 0
        var up = true
        var lastError: String?
        /// When it last started a request (a counter): spreads requests over idle endpoints.
        var lastStarted = 0
    }

    private(set) var endpoints: [Endpoint]
    private var starts = 0

    init(count: Int) {
        endpoints = Array(repeating: Endpoint(), count: count)
    }

    /// The endpoints to try for a request, best first, without those already tried.
    func order(excluding tried: Set<Int> = []) -> [Int] {
        let candidates = endpoints.indices.filter { !tried.contains($0) }
        let best = { (a: Int, b: Int) -> Bool in
            let (x, y) = (endpoints[a], endpoints[b])
            return x.inFlight != y.inFlight ? x.inFlight < y.inFlight : x.lastStarted < y.lastStarted
        }
        return candidates.filter { endpoints[$0].up }.sorted(by: best) + candidates.filter { !endpoints[$0].up }.sorted(by: best)
    }

    mutating func started(_ index: Int) {
        starts += 1
        endpoints[index].inFlight += 1
        endpoints[index].lastStarted = starts
    }

    /// A request ended; `error`: the endpoint failed it (it is down until a probe or a request passes).
    mutating func finished(_ index: Int, error: String? = nil) {
        endpoints[index].inFlight = max(0, endpoints[index].inFlight - 1)
        record(index, error: error)
    }

    mutating func probed(_ index: Int, error: String?) {
        record(index, error: error)
    }

    private mutating func record(_ index: Int, error: String?) {
        endpoints[index].up = error == nil
        if let error { endpoints[index].lastError = error }
    }
}
