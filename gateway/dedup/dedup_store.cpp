// The dedup window (dedup_store.hpp): two FIFO-evicted hash maps behind one mutex, and the log
// that lets them survive a restart.
#include "dedup/dedup_store.hpp"

#include "clock/wall_clock.hpp"
#include "spool/record_bytes.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <mutex>
#include <system_error>
#include <unordered_map>
#include <utility>

namespace wire::dedup {
namespace {

constexpr std::uint8_t k_claim = 1;
constexpr std::uint8_t k_release = 2;
constexpr std::uint8_t k_version = 3;
constexpr std::size_t k_head = 1 + 16 + 8;      // type, key, time: what every record starts with
constexpr std::size_t k_max_reserve = 1 << 22;  // 32 MB of buckets per map at most
constexpr std::int64_t k_no_cutoff = std::numeric_limits<std::int64_t>::min();

// The keys are SHA-256 output, which nobody can steer: its first 8 bytes are as good a hash as
// any. noexcept keeps libstdc++ from caching the hash in every node (8 bytes each).
struct key_hash {
    std::size_t operator()(const key& k) const noexcept {
        std::uint64_t h = 0;
        std::memcpy(&h, k.data(), sizeof h);
        return static_cast<std::size_t>(h);
    }
};

// A hash map that remembers insertion order, so the oldest entry goes first (by count or by
// age) in O(1). Replacing or erasing a key leaves its old slot in `order_`; such a slot is
// recognised by its seq no longer matching the map's and skipped, and the superseded slots are
// swept out once they outnumber the live ones (amortised O(1)).
template <class V>
class fifo_map {
  public:
    struct slot {
        V value{};
        std::int64_t time = 0;  // unix ms of the last put
        std::uint64_t seq = 0;
    };

    const slot* find(const key& k) const {
        auto it = map_.find(k);
        return it == map_.end() ? nullptr : &it->second;
    }
    // Inserts or replaces; either way the key becomes the newest.
    void put(const key& k, V value, std::int64_t time) {
        const auto seq = next_seq_++;
        map_.insert_or_assign(k, slot{std::move(value), time, seq});
        order_.emplace_back(k, seq);
        if (order_.size() > 2 * map_.size() + 64)
            std::erase_if(order_, [this](const auto& e) { return !current(e); });
    }
    bool erase(const key& k) { return map_.erase(k) > 0; }
    // Drops oldest-first while there are more than `max` entries or the oldest was put at or
    // before `cutoff`. A clock that stepped back can leave an expired entry behind a newer one
    // for a while; lookups check the time themselves.
    void evict(std::size_t max, std::int64_t cutoff) {
        while (!order_.empty()) {
            auto it = map_.find(order_.front().first);
            if (it != map_.end() && it->second.seq == order_.front().second) {
                if (map_.size() <= max && it->second.time > cutoff) break;
                map_.erase(it);
            }
            order_.pop_front();
        }
    }
    template <class F>
    void for_each_oldest_first(F&& f) const {
        for (const auto& e : order_)
            if (current(e)) f(e.first, map_.find(e.first)->second);
    }
    std::size_t size() const { return map_.size(); }
    // Buckets for the expected size up front: growing rehashes every node, a pause of 0.1-0.2 s
    // at a million, on whichever I/O thread happens to claim then.
    void reserve(std::size_t n) { map_.reserve(n); }

  private:
    bool current(const std::pair<key, std::uint64_t>& e) const {
        auto it = map_.find(e.first);
        return it != map_.end() && it->second.seq == e.second;
    }

    std::unordered_map<key, slot, key_hash> map_;
    std::deque<std::pair<key, std::uint64_t>> order_;
    std::uint64_t next_seq_ = 0;
};

using spool::bytes::crc_of;
using spool::bytes::get_le;
using spool::bytes::put_le;

// Appends one record: the aux goes into claims, the version into version records.
void encode(std::string& out, std::uint8_t type, const key& k, std::int64_t time,
            std::string_view aux = {}, std::int64_t version = 0) {
    const auto start = out.size();
    out.push_back(static_cast<char>(type));
    out.append(reinterpret_cast<const char*>(k.data()), k.size());
    put_le(out, static_cast<std::uint64_t>(time), 8);
    if (type == k_claim) {
        out.push_back(static_cast<char>(aux.size()));
        out.append(aux);
    }
    if (type == k_version) put_le(out, static_cast<std::uint64_t>(version), 8);
    put_le(out, crc_of(std::string_view(out).substr(start)), 4);
}

struct record {
    std::uint8_t type = 0;
    key k{};
    std::int64_t time = 0;
    std::string aux;
    std::int64_t version = 0;
};

enum class parsed { ok, need_more, bad };

// One record from the front of `in`. need_more: `in` ends inside the record (at the end of the
// file, a torn write). bad: unknown type, aux too long or CRC mismatch.
parsed parse(std::string_view in, record& out, std::size_t& used) {
    if (in.empty()) return parsed::need_more;
    const auto type = static_cast<std::uint8_t>(in[0]);
    std::size_t body = 0;
    if (type == k_claim) {
        if (in.size() < k_head + 1) return parsed::need_more;
        const auto n = static_cast<std::uint8_t>(in[k_head]);
        if (n > dedup_store::k_max_aux) return parsed::bad;
        body = 1 + std::size_t(n);
    } else if (type == k_version) {
        body = 8;
    } else if (type != k_release) {
        return parsed::bad;
    }
    const std::size_t total = k_head + body + 4;
    if (in.size() < total) return parsed::need_more;
    if (crc_of(in.substr(0, total - 4)) != get_le(in, total - 4, 4)) return parsed::bad;
    out.type = type;
    std::memcpy(out.k.data(), in.data() + 1, out.k.size());
    out.time = static_cast<std::int64_t>(get_le(in, 17, 8));
    if (type == k_claim) out.aux.assign(in.substr(k_head + 1, body - 1));
    if (type == k_version) out.version = static_cast<std::int64_t>(get_le(in, k_head, 8));
    used = total;
    return parsed::ok;
}

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

int write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return EIO;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

// After a rename, so that the new name survives a machine crash. Best effort: either file is a
// whole log.
void sync_parent_dir(const std::string& path) {
    auto dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

struct dedup_store::state {
    dedup_options opt;
    mutable std::mutex mu;
    fifo_map<std::string> claims;          // value: the aux
    fifo_map<std::int64_t> versions;       // value: the newest version
    int fd = -1;                           // the log, O_APPEND; -1 = memory only
    std::uint64_t file_bytes = 0;          // length of the whole records in the log
    std::uint64_t records = 0;             // records in the log, live or dead
    std::uint64_t compact_not_before = 0;  // after a failed compaction: records to wait for
    std::size_t loaded = 0;
    std::uint64_t dropped = 0, write_errors = 0;
    std::string buf;  // encoding buffer, reused under the lock

    ~state() {
        if (fd >= 0) ::close(fd);
    }

    // Times at or before this are outside the window (saturating: no overflow on odd clocks).
    std::int64_t cutoff(std::int64_t now) const {
        return now < k_no_cutoff + opt.window_ms ? k_no_cutoff : now - opt.window_ms;
    }

    void apply(const record& r, std::int64_t cut) {
        if (r.type == k_release) {
            claims.erase(r.k);
        } else if (r.time > cut && r.type == k_claim) {
            claims.put(r.k, r.aux, r.time);
            claims.evict(opt.max_entries, cut);
        } else if (r.time > cut) {
            versions.put(r.k, r.version, r.time);
            versions.evict(opt.max_entries, cut);
        }
    }

    // Reads the log from the start, applying each valid record, and cuts it after the last one.
    bool replay(std::int64_t cut, std::string& error) {
        std::string pending;  // unparsed bytes, starting at file offset `file_bytes`
        char chunk[1 << 16];
        bool eof = false;
        for (;;) {
            std::size_t pos = 0;
            parsed p = parsed::ok;
            for (;;) {
                record r;
                std::size_t used = 0;
                p = parse(std::string_view(pending).substr(pos), r, used);
                if (p != parsed::ok) break;
                apply(r, cut);
                pos += used;
                ++records;
            }
            pending.erase(0, pos);
            file_bytes += pos;
            if (p == parsed::bad || eof) break;
            const auto n = ::read(fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                error = "cannot read " + opt.path + ": " + errno_text(errno);
                return false;
            }
            if (n == 0) eof = true;
            pending.append(chunk, static_cast<std::size_t>(n));
        }
        const auto end = ::lseek(fd, 0, SEEK_END);
        if (end < 0) {
            error = "cannot seek in " + opt.path + ": " + errno_text(errno);
            return false;
        }
        const auto size = static_cast<std::uint64_t>(end);
        if (size > file_bytes) {
            // A torn or damaged tail: new records must not land behind bytes replay stops at.
            if (::ftruncate(fd, static_cast<off_t>(file_bytes)) != 0) {
                error = "cannot cut the damaged tail of " + opt.path + ": " + errno_text(errno);
                return false;
            }
            dropped = size - file_bytes;
        }
        return true;
    }

    // Appends one record to the log (see encode()).
    void log(std::uint8_t type, const key& k, std::int64_t time, std::string_view aux = {},
             std::int64_t version = 0) {
        if (fd < 0) return;
        buf.clear();
        encode(buf, type, k, time, aux, version);
        if (write_all(fd, buf) != 0) {
            ++write_errors;
            // Part of a record would hide every later one from replay: cut back to the last
            // whole one, or stop writing if even that fails.
            if (::ftruncate(fd, static_cast<off_t>(file_bytes)) != 0) {
                ::close(fd);
                fd = -1;
            }
            return;
        }
        file_bytes += buf.size();
        ++records;
    }

    // Rewrites the live entries to path.tmp and renames it over the log. On failure the old log
    // stays in use, whole.
    bool compact(std::int64_t cut) {
        claims.evict(opt.max_entries, cut);
        versions.evict(opt.max_entries, cut);
        const std::string tmp = opt.path + ".tmp";
        const int out =
            ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
        if (out < 0) return false;
        std::string data;
        std::uint64_t n = 0, bytes = 0;
        int err = 0;
        auto flush = [&] {
            if (err == 0) err = write_all(out, data);
            bytes += data.size();
            data.clear();
        };
        // Oldest first, so that replay rebuilds the same eviction order.
        claims.for_each_oldest_first([&](const key& k, const auto& s) {
            encode(data, k_claim, k, s.time, s.value);
            if (++n % 16384 == 0) flush();
        });
        versions.for_each_oldest_first([&](const key& k, const auto& s) {
            encode(data, k_version, k, s.time, {}, s.value);
            if (++n % 16384 == 0) flush();
        });
        flush();
        if (err == 0 && ::fsync(out) != 0) err = errno;
        if (err == 0 && ::rename(tmp.c_str(), opt.path.c_str()) != 0) err = errno;
        if (err != 0) {
            ::close(out);
            ::unlink(tmp.c_str());
            return false;
        }
        sync_parent_dir(opt.path);
        ::close(fd);
        fd = out;
        file_bytes = bytes;
        records = n;
        return true;
    }

    // The log is worth rewriting once it is more than half dead records.
    bool mostly_dead() const { return records > 2 * (claims.size() + versions.size()); }

    void maybe_compact(std::int64_t cut) {
        if (fd < 0 || records <= 2 * opt.max_entries || records < compact_not_before ||
            !mostly_dead())
            return;
        if (!compact(cut)) {
            ++write_errors;
            compact_not_before = records + opt.max_entries;  // not again on every claim
        }
    }
};

key make_key(std::string_view text) {
    std::array<unsigned char, 32> digest{};
    unsigned int len = 0;
    // EVP_Digest with SHA-256 fails only when OpenSSL itself is broken (no provider): then every
    // key would be equal, so stop rather than call every story a duplicate.
    if (EVP_Digest(text.data(), text.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1 ||
        len != digest.size())
        std::abort();
    key k{};
    std::memcpy(k.data(), digest.data(), k.size());
    return k;
}

std::string to_hex(const key& k) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * k.size());
    for (auto b : k) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xf]);
    }
    return out;
}

std::optional<key> from_hex(std::string_view hex) {
    if (hex.size() != 2 * std::tuple_size_v<key>) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    key k{};
    for (std::size_t i = 0; i < k.size(); ++i) {
        const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        k[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return k;
}

std::unique_ptr<dedup_store> dedup_store::open(const dedup_options& options, std::string& error) {
    if (options.max_entries == 0 || options.window_ms <= 0) {
        error = options.max_entries == 0 ? "max_entries must be at least 1"
                                         : "window_ms must be positive";
        return nullptr;
    }
    auto s = std::make_unique<state>();
    s->opt = options;
    const auto expected = std::min<std::size_t>(options.max_entries, k_max_reserve);
    s->claims.reserve(expected);
    s->versions.reserve(expected);
    if (!options.path.empty()) {
        // Left by a compaction cut short: the rename never happened, so `path` is whole.
        ::unlink((options.path + ".tmp").c_str());
        s->fd = ::open(options.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (s->fd < 0) {
            error = "cannot open " + options.path + ": " + errno_text(errno);
            return nullptr;
        }
        const auto cut = s->cutoff(options.now_ms != 0 ? options.now_ms : wallclock::unix_ms());
        if (!s->replay(cut, error)) return nullptr;
        if (s->mostly_dead() && !s->compact(cut)) ++s->write_errors;
    }
    s->loaded = s->claims.size();
    return std::unique_ptr<dedup_store>(new dedup_store(std::move(s)));
}

dedup_store::dedup_store(std::unique_ptr<state> s) : s_(std::move(s)) {}
dedup_store::~dedup_store() = default;

std::size_t dedup_store::loaded() const { return s_->loaded; }

claim_result dedup_store::claim(const key& k, std::string_view aux, std::int64_t now_ms) {
    aux = aux.substr(0, std::min(aux.size(), k_max_aux));
    std::lock_guard lk(s_->mu);
    auto& st = *s_;
    const auto cut = st.cutoff(now_ms);
    st.claims.evict(st.opt.max_entries, cut);
    // An entry past the window can still be here if the clock stepped back: it no longer counts.
    if (const auto* slot = st.claims.find(k); slot && slot->time > cut) return {false, slot->value};
    st.claims.put(k, std::string(aux), now_ms);
    st.claims.evict(st.opt.max_entries, cut);
    st.log(k_claim, k, now_ms, aux);
    st.maybe_compact(cut);
    return {true, {}};
}

void dedup_store::release(const key& k) {
    std::lock_guard lk(s_->mu);
    auto& st = *s_;
    const auto* slot = st.claims.find(k);
    if (slot == nullptr) return;
    // The claim's own time: replay drops the release exactly when it drops the claim.
    const auto time = slot->time;
    st.claims.erase(k);
    st.log(k_release, k, time);
    st.maybe_compact(k_no_cutoff);
}

bool dedup_store::contains(const key& k, std::int64_t now_ms) const {
    std::lock_guard lk(s_->mu);
    const auto* slot = s_->claims.find(k);
    return slot != nullptr && slot->time > s_->cutoff(now_ms);
}

std::optional<std::int64_t> dedup_store::note_version(const key& story, std::int64_t version,
                                                      std::int64_t now_ms) {
    std::lock_guard lk(s_->mu);
    auto& st = *s_;
    const auto cut = st.cutoff(now_ms);
    st.versions.evict(st.opt.max_entries, cut);
    std::optional<std::int64_t> previous;
    if (const auto* slot = st.versions.find(story); slot && slot->time > cut)
        previous = slot->value;
    const auto newest = previous ? std::max(*previous, version) : version;
    // Logged even when unchanged: the refreshed time keeps an active story in the window.
    st.versions.put(story, newest, now_ms);
    st.versions.evict(st.opt.max_entries, cut);
    st.log(k_version, story, now_ms, {}, newest);
    st.maybe_compact(cut);
    return previous;
}

std::size_t dedup_store::size() const {
    std::lock_guard lk(s_->mu);
    return s_->claims.size();
}

dedup_stats dedup_store::stats() const {
    std::lock_guard lk(s_->mu);
    const auto& st = *s_;
    return {st.claims.size(), st.versions.size(), st.fd >= 0 ? st.records : 0, st.write_errors,
            st.dropped};
}

void dedup_store::sync() {
    std::lock_guard lk(s_->mu);
    if (s_->fd >= 0 && ::fdatasync(s_->fd) != 0) ++s_->write_errors;
}

}  // namespace wire::dedup
