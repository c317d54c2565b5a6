#pragma once
// The shares one client may take of what the listeners hold for everybody: open connections per
// client address, body bytes per feed and per address (with a floor each feed always has), and
// bytes of open telex frames. One budget per resource, consulted wherever that resource is taken,
// so that no single feed, key or address can use what the others need.
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wire::listeners {

/// Open connections per client address, shared by the listeners that count together.
class address_counts {
  public:
    /// Counts one more connection from `address`; false (and nothing counted) when it already
    /// has `cap` open.
    bool try_add(const std::string& address, std::size_t cap);
    void remove(const std::string& address);
    std::size_t count(const std::string& address) const;

  private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::size_t> open_;  // no entry for an address with none
};

/// The limits a body reservation is checked against (config limits.*).
struct byte_limits {
    std::size_t total = 0;        // max_inflight_bytes: all feeds
    std::size_t per_feed = 0;     // max_inflight_bytes_per_feed
    std::size_t per_address = 0;  // max_inflight_bytes_per_address
    std::size_t floor = 0;        // inflight_bytes_floor_per_feed (at most total / feeds)
    std::size_t feeds = 0;        // how many feeds have a floor
};

/// Body bytes held by requests being read or processed. Each feed may hold up to its floor
/// whatever the others hold: the floors of all feeds are set aside from the total, and only
/// what a feed holds above its floor comes out of the shared rest. A feed is further capped at
/// per_feed, and one client address at per_address (over every feed).
class byte_budget {
  public:
    /// Charges `bytes` to `feed` and `address`; false (nothing charged) when a limit refuses.
    bool reserve(const std::string& feed, const std::string& address, std::size_t bytes,
                 const byte_limits& limits);
    void release(const std::string& feed, const std::string& address, std::size_t bytes);
    std::size_t held() const;
    std::size_t held_by_feed(const std::string& feed) const;

  private:
    static std::size_t above(std::size_t held, std::size_t floor) {
        return held > floor ? held - floor : 0;
    }
    mutable std::mutex mu_;
    std::size_t held_ = 0;
    std::size_t shared_ = 0;  // Σ over feeds of what each holds above its floor
    std::size_t floor_ = 0;   // the floor shared_ was summed with
    std::unordered_map<std::string, std::size_t> feeds_, addresses_;
};

/// Bytes of telex frames still being received, over every connection of every stream listener.
class frame_budget {
  public:
    /// Charges `bytes`; false (nothing charged) when the total would pass `limit`.
    bool reserve(std::size_t bytes, std::size_t limit);
    void release(std::size_t bytes) { held_.fetch_sub(bytes); }
    std::size_t held() const { return held_.load(); }

  private:
    std::atomic<std::size_t> held_{0};
};

}  // namespace wire::listeners
