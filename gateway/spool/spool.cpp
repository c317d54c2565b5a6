// The spool's writer thread and its API. Callers only touch the in-memory state under `mu` (the
// queue and the ledger); every file operation happens on the writer thread, one batch at a time:
// one write and, for fsync `always`, one fdatasync per batch (group commit).
#include "spool/spool.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <utility>

#include "clock/wall_clock.hpp"
#include "spool/segment.hpp"

namespace wire::spool {
namespace {

namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

constexpr std::uint64_t k_max_batch = 8ull << 20;  // bounds one write and its buffer copy
constexpr auto k_retry_pause = std::chrono::milliseconds(100);

struct op {
    enum class type : std::uint8_t { story, ack, carry, reject, barrier };
    type t = type::story;
    std::string payload;
    std::int64_t not_before_ms = 0, spooled_at_ms = 0;
    std::uint64_t seq = 0;      // story: assigned when written; ack, carry: the story acked
    std::uint64_t segment = 0;  // ack: the story's segment; carry: the segment the marker leaves
    std::uint64_t size = 0;     // bytes on disk
    append_status status = append_status::ok;  // reject
    std::string error;                         // reject
    append_callback done;
    std::function<void()> release;  // barrier
};

op marker(op::type t, std::uint64_t seq, std::uint64_t seg) {
    op o;
    o.t = t;
    o.seq = seq;
    o.segment = seg;
    o.size = segment::k_ack_bytes;
    return o;
}

}  // namespace

struct spool::impl {
    spool_options opt;
    mutable std::mutex mu;
    std::condition_variable cv;
    // Guarded by mu.
    std::deque<op> queue;
    std::uint64_t queued_bytes = 0;  // stories queued: they count against max_bytes already
    bool stop = false;
    segment::ledger ledger;
    std::uint64_t active = 0;  // first seq of the segment being written
    bool hit_full = false;
    // Writer thread only (and open() before the thread starts).
    int fd = -1;
    std::uint64_t offset = 0;  // end of the active segment
    std::uint64_t next_seq = 1;
    bool need_roll = false, dirty = false;
    steady::time_point last_sync = steady::now();
    std::thread writer;

    bool open_active(std::string& error);
    void run();
    std::vector<op> take_batch(bool& roll);
    bool cycle(std::vector<op> batch, bool roll);
    int roll_segment();
    int write_batch(std::vector<op>& batch);
    void apply(op& o);
    void maintain();
    void sync_data();
};

// New appends go to a new file, never after what an old one holds (a torn tail, say). The last
// file is reused only when it is empty: a run that opened it and wrote nothing.
bool spool::impl::open_active(std::string& error) {
    const auto& segments = ledger.segments();
    if (!segments.empty() && segments.rbegin()->first >= next_seq) {
        if (segments.rbegin()->second.bytes == 0) {
            active = next_seq = segments.rbegin()->first;
            const auto path = opt.dir + "/" + segments.rbegin()->second.name;
            if (int err = segment::open_for_append(path, fd)) {
                error = "cannot open " + path + ": " + segment::errno_text(err);
                return false;
            }
            return true;
        }
        next_seq = segments.rbegin()->first + 1;
    }
    const auto name = segment::file_name(next_seq);
    if (int err = segment::create(opt.dir + "/" + name, fd)) {
        error = "cannot create " + opt.dir + "/" + name + ": " + segment::errno_text(err);
        return false;
    }
    // The file's name keeps the next seq even when every other segment is reclaimed.
    if (opt.fsync != fsync_policy::never) segment::sync_dir(opt.dir);
    active = next_seq;
    ledger.add_segment(active, name, 0);
    return true;
}

void spool::impl::run() {
    maintain();  // what recovery found all acked
    std::unique_lock lk(mu);
    const auto interval = std::chrono::milliseconds(opt.fsync_interval_ms);
    const auto woken = [this] { return stop || !queue.empty(); };
    for (;;) {
        if (!queue.empty()) {
            bool roll = false;
            auto batch = take_batch(roll);
            lk.unlock();
            const bool ok = cycle(std::move(batch), roll);
            lk.lock();
            // Disk trouble: pause so requeued acks do not spin against a full disk.
            if (!ok && !stop) cv.wait_for(lk, k_retry_pause, [this] { return stop; });
        } else if (stop) {
            break;
        } else if (dirty && opt.fsync == fsync_policy::interval) {
            if (steady::now() < last_sync + interval) {
                cv.wait_until(lk, last_sync + interval, woken);
            } else {
                lk.unlock();
                sync_data();
                lk.lock();
            }
        } else {
            cv.wait(lk, woken);
        }
    }
    lk.unlock();
    if (dirty && opt.fsync != fsync_policy::never) sync_data();
    ::close(fd);
}

// Under mu. One batch fits the active segment (or starts a new one) and k_max_batch.
std::vector<op> spool::impl::take_batch(bool& roll) {
    const std::uint64_t first = queue.front().size;
    roll = need_roll || (offset > 0 && offset + first > opt.segment_bytes);
    const std::uint64_t used = roll ? 0 : offset;
    const std::uint64_t limit =
        std::min(k_max_batch, opt.segment_bytes > used ? opt.segment_bytes - used : 0);
    std::vector<op> batch;
    std::uint64_t total = 0;
    while (!queue.empty() && (batch.empty() || total + queue.front().size <= limit)) {
        total += queue.front().size;
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
    }
    return batch;
}

bool spool::impl::cycle(std::vector<op> batch, bool roll) {
    int err = roll ? roll_segment() : 0;
    if (err == 0) err = write_batch(batch);
    const std::string error = err ? segment::errno_text(err) : std::string();
    {
        std::lock_guard lk(mu);
        std::vector<op*> retry;  // ack() promised a marker: try again
        for (auto& o : batch) {
            if (o.t == op::type::story) queued_bytes -= o.size;
            if (err == 0) apply(o);
            if (err != 0 && o.t == op::type::ack && !stop) retry.push_back(&o);
        }
        for (auto it = retry.rbegin(); it != retry.rend(); ++it) queue.push_front(std::move(**it));
        if (err == ENOSPC || err == EDQUOT) hit_full = true;
    }
    for (auto& o : batch) {
        if (o.t == op::type::story && o.done)
            o.done(err ? append_status::io_error : append_status::ok, err ? 0 : o.seq, error);
        if (o.t == op::type::reject && o.done) o.done(o.status, 0, o.error);
    }
    if (opt.fsync == fsync_policy::interval && dirty &&
        steady::now() >= last_sync + std::chrono::milliseconds(opt.fsync_interval_ms))
        sync_data();
    maintain();
    for (auto& o : batch)
        if (o.t == op::type::barrier && o.release) o.release();
    return err == 0;
}

// Under mu, once the batch holding `o` is on disk.
void spool::impl::apply(op& o) {
    if (o.t == op::type::story) {
        ledger.add_story(o.seq, {active, o.not_before_ms, o.spooled_at_ms, std::move(o.payload)});
        hit_full = false;
    } else if (o.t == op::type::ack) {
        ledger.marker_written(o.seq, o.segment, active);
    } else if (o.t == op::type::carry) {
        ledger.carried(o.seq, o.segment, active);
    }
}

int spool::impl::write_batch(std::vector<op>& batch) {
    std::string buf;
    const std::uint64_t first_seq = next_seq;
    for (auto& o : batch) {
        if (o.t == op::type::story) {
            o.seq = next_seq++;
            segment::encode_story(buf, o.seq, o.not_before_ms, o.spooled_at_ms, o.payload);
        } else if (o.t == op::type::ack || o.t == op::type::carry) {
            segment::encode_ack(buf, o.seq);
        }
    }
    if (buf.empty()) return 0;
    int err = segment::write_at(fd, buf, offset);
    if (err == 0 && opt.fsync == fsync_policy::always && ::fdatasync(fd) != 0) {
        err = errno;
        need_roll = true;  // after a failed fsync the page cache cannot be trusted
    }
    if (err == 0) {
        offset += buf.size();
        dirty = opt.fsync != fsync_policy::always;
        if (!dirty) last_sync = steady::now();
        std::lock_guard lk(mu);
        ledger.wrote(active, buf.size());
        return 0;
    }
    // The callbacks say io_error, so no part of the batch may be replayed after a restart.
    if (::ftruncate(fd, static_cast<off_t>(offset)) == 0) {
        if (!need_roll) next_seq = first_seq;  // never given out
        return err;
    }
    need_roll = true;  // junk stays behind: later writes go to a fresh file
    struct stat st {};
    if (::fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) > offset) {
        const auto junk = static_cast<std::uint64_t>(st.st_size) - offset;
        offset += junk;
        std::lock_guard lk(mu);
        ledger.wrote(active, junk);
    }
    return err;
}

int spool::impl::roll_segment() {
    next_seq = std::max(next_seq, active + 1);  // the active file may hold only acks or junk
    int nfd = -1;
    std::string name;
    for (int tries = 0;; ++tries) {
        name = segment::file_name(next_seq);
        const int err = segment::create(opt.dir + "/" + name, nfd);
        if (err == 0) break;
        if (err != EEXIST || tries == 16) return err;
        ++next_seq;  // a stray file of that name: skip the seq rather than touch the file
    }
    if (dirty && opt.fsync != fsync_policy::never) sync_data();  // the old segment's tail
    ::close(fd);
    fd = nfd;
    offset = 0;
    need_roll = false;
    if (opt.fsync != fsync_policy::never) segment::sync_dir(opt.dir);
    std::lock_guard lk(mu);
    active = next_seq;
    ledger.add_segment(active, name, 0);  // and the old active may be reclaimable now
    return 0;
}

void spool::impl::sync_data() {
    if (::fdatasync(fd) != 0) need_roll = true;  // callbacks have run; keep later data apart
    dirty = false;
    last_sync = steady::now();
}

// Deletes the segments the ledger lets go, carrying their still-needed markers forward first.
void spool::impl::maintain() {
    for (int round = 0; round < 2; ++round) {
        std::vector<std::pair<std::string, std::uint64_t>> doomed;
        std::vector<op> carry;
        {
            std::lock_guard lk(mu);
            if (!ledger.maintenance_due) return;
            ledger.maintenance_due = false;
            doomed = ledger.reap(active);
            // Not after junk a failed write left: the next roll brings maintenance back.
            if (!need_roll)
                for (const auto& [seq, from] : ledger.to_carry(active))
                    carry.push_back(marker(op::type::carry, seq, from));
        }
        if (!carry.empty()) {
            const int err = write_batch(carry);
            std::lock_guard lk(mu);
            for (auto& o : carry)
                if (err == 0) apply(o);
            if (err) ledger.maintenance_due = true;  // tried again after the next batch
        }
        if (!doomed.empty()) {
            // Carried markers must be on disk before the segment that held them goes.
            if (dirty && opt.fsync != fsync_policy::never) sync_data();
            for (const auto& d : doomed) {
                std::error_code ec;
                fs::remove(opt.dir + "/" + d.first, ec);
            }
            std::lock_guard lk(mu);
            hit_full = false;
        }
        if (carry.empty()) return;  // else one more round deletes what the carry freed
    }
}

std::unique_ptr<spool> spool::open(const spool_options& options, recovery_report& report,
                                   std::string& error) {
    report = recovery_report{};
    if (options.dir.empty()) {
        error = "spool directory not set";
        return nullptr;
    }
    auto p = std::make_unique<impl>();
    p->opt = options;
    const auto next = segment::recover(options.dir, p->ledger, report, error);
    if (next) p->next_seq = *next;
    if (!next || !p->open_active(error)) {
        if (p->fd >= 0) ::close(p->fd);
        return nullptr;
    }
    p->writer = std::thread([raw = p.get()] { raw->run(); });
    return std::unique_ptr<spool>(new spool(std::move(p)));
}

spool::spool(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

spool::~spool() {
    {
        std::lock_guard lk(impl_->mu);
        impl_->stop = true;
    }
    impl_->cv.notify_all();
    impl_->writer.join();
}

void spool::append(std::string payload, std::int64_t not_before_ms, append_callback done) {
    op o;
    o.size = segment::k_story_overhead + payload.size();
    o.payload = std::move(payload);
    o.not_before_ms = not_before_ms;
    o.spooled_at_ms = wallclock::unix_ms();
    o.done = std::move(done);
    auto& m = *impl_;
    {
        std::lock_guard lk(m.mu);
        // Refusals are answered on the writer thread too: callbacks never run inside the
        // caller's locks, and they keep their order.
        const auto in_use = m.ledger.bytes() + m.queued_bytes;
        if (o.payload.size() > segment::k_max_payload) {
            o.t = op::type::reject;
            o.status = append_status::io_error;
            o.error = "record too large for a spool segment";
        } else if (in_use + o.size > m.opt.max_bytes) {
            o.t = op::type::reject;
            o.status = append_status::full;
            o.error = "spool full: " + std::to_string(in_use) + " of " +
                      std::to_string(m.opt.max_bytes) + " bytes in use";
            m.hit_full = true;
        }
        if (o.t == op::type::reject) {
            o.size = 0;
            std::string().swap(o.payload);
        } else {
            m.queued_bytes += o.size;
        }
        m.queue.push_back(std::move(o));
    }
    m.cv.notify_one();
}

void spool::ack(std::uint64_t seq) {
    auto& m = *impl_;
    {
        std::lock_guard lk(m.mu);
        const auto story_segment = m.ledger.take(seq);
        if (!story_segment) return;  // unknown, or acked already
        m.queue.push_back(marker(op::type::ack, seq, *story_segment));
    }
    m.cv.notify_one();
}

void spool::flush() {
    std::promise<void> done;
    auto written = done.get_future();
    {
        std::lock_guard lk(impl_->mu);
        op o;
        o.t = op::type::barrier;
        o.release = [&done] { done.set_value(); };
        impl_->queue.push_back(std::move(o));
    }
    impl_->cv.notify_one();
    written.wait();
}

std::vector<record> spool::pending() const {
    std::lock_guard lk(impl_->mu);
    std::vector<record> out;
    out.reserve(impl_->ledger.pending().size());
    for (const auto& [seq, e] : impl_->ledger.pending())
        out.push_back(record{seq, e.not_before_ms, e.spooled_at_ms, e.payload});
    return out;
}

std::size_t spool::depth() const {
    std::lock_guard lk(impl_->mu);
    return impl_->ledger.pending().size();
}

std::uint64_t spool::bytes() const {
    std::lock_guard lk(impl_->mu);
    return impl_->ledger.bytes();
}

bool spool::full() const {
    std::lock_guard lk(impl_->mu);
    const auto cap = impl_->opt.max_bytes;
    return impl_->hit_full || impl_->ledger.bytes() >= cap - cap / 10;
}

std::int64_t spool::oldest_pending_ms() const {
    std::lock_guard lk(impl_->mu);
    const auto& p = impl_->ledger.pending();
    return p.empty() ? 0 : p.begin()->second.spooled_at_ms;
}

}  // namespace wire::spool
