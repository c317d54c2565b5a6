#include "listeners/budgets.hpp"

#include <algorithm>

namespace wire::listeners {

bool address_counts::try_add(const std::string& address, std::size_t cap) {
    std::lock_guard lk(mu_);
    auto& n = open_[address];
    if (n >= cap) {
        if (n == 0) open_.erase(address);
        return false;
    }
    ++n;
    return true;
}

void address_counts::remove(const std::string& address) {
    std::lock_guard lk(mu_);
    auto it = open_.find(address);
    if (it == open_.end()) return;
    if (--it->second == 0) open_.erase(it);
}

std::size_t address_counts::count(const std::string& address) const {
    std::lock_guard lk(mu_);
    auto it = open_.find(address);
    return it == open_.end() ? 0 : it->second;
}

bool byte_budget::reserve(const std::string& feed, const std::string& address, std::size_t bytes,
                          const byte_limits& limits) {
    // Floors never set aside more than the total: with many feeds, each gets its share.
    const std::size_t floor =
        limits.feeds == 0 ? 0 : std::min(limits.floor, limits.total / limits.feeds);
    std::lock_guard lk(mu_);
    if (floor != floor_) {
        // A reload changed the floor: what each feed holds above it is summed again.
        floor_ = floor;
        shared_ = 0;
        for (const auto& [f, held] : feeds_) shared_ += above(held, floor_);
    }
    const std::size_t by_feed = feeds_.count(feed) ? feeds_[feed] : 0;
    const std::size_t by_address = addresses_.count(address) ? addresses_[address] : 0;
    const std::size_t set_aside = floor * limits.feeds;
    const std::size_t pool = limits.total > set_aside ? limits.total - set_aside : 0;
    const std::size_t shared = shared_ - above(by_feed, floor_) + above(by_feed + bytes, floor_);
    if (by_feed + bytes > limits.per_feed || by_address + bytes > limits.per_address ||
        shared > pool)
        return false;
    shared_ = shared;
    feeds_[feed] = by_feed + bytes;
    addresses_[address] = by_address + bytes;
    held_ += bytes;
    return true;
}

void byte_budget::release(const std::string& feed, const std::string& address, std::size_t bytes) {
    std::lock_guard lk(mu_);
    if (auto it = feeds_.find(feed); it != feeds_.end()) {
        shared_ -= above(it->second, floor_) - above(it->second - bytes, floor_);
        if ((it->second -= bytes) == 0) feeds_.erase(it);
    }
    if (auto it = addresses_.find(address); it != addresses_.end())
        if ((it->second -= bytes) == 0) addresses_.erase(it);
    held_ -= bytes;
}

std::size_t byte_budget::held() const {
    std::lock_guard lk(mu_);
    return held_;
}

std::size_t byte_budget::held_by_feed(const std::string& feed) const {
    std::lock_guard lk(mu_);
    auto it = feeds_.find(feed);
    return it == feeds_.end() ? 0 : it->second;
}

bool frame_budget::reserve(std::size_t bytes, std::size_t limit) {
    std::size_t held = held_.load();
    do {
        if (held + bytes > limit) return false;
    } while (!held_.compare_exchange_weak(held, held + bytes));
    return true;
}

}  // namespace wire::listeners
