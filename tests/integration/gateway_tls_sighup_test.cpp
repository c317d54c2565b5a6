// Certificate rotation as operators do it: `wiregate serve` with an mTLS listener, the server
// certificate replaced on disk and SIGHUP sent. New connections see the new certificate; a
// broken file on the next SIGHUP keeps the certificate in use, is logged and counted, and the
// process keeps serving.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "kafka_test_env.hpp"
#include "tls_test_env.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct serve_process {
    pid_t pid = -1;
    FILE* err = nullptr;  // the child's stderr (JSON log lines)
    std::string log;
    explicit serve_process(const fs::path& config) {
        int fds[2];
        if (pipe(fds) != 0) throw std::runtime_error("pipe");
        pid = fork();
        if (pid == 0) {
            dup2(fds[1], STDERR_FILENO);
            close(fds[0]);
            close(fds[1]);
            execl(WIREGATE_BINARY, WIREGATE_BINARY, "serve", "--config", config.c_str(), nullptr);
            _exit(127);
        }
        close(fds[1]);
        err = fdopen(fds[0], "r");
    }
    ~serve_process() {
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, nullptr, 0);
        }
        if (err) std::fclose(err);
    }
    // Reads the log until `needle` has appeared `count` times (or the child's stderr closes).
    bool wait_for(const std::string& needle, std::size_t count = 1) {
        auto seen = [&] {
            std::size_t n = 0;
            for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1))
                ++n;
            return n;
        };
        char buf[4096];
        while (seen() < count && std::fgets(buf, sizeof buf, err)) log += buf;
        return seen() >= count;
    }
    int port(const std::string& name) const {
        std::smatch m;
        if (!std::regex_search(log, m, std::regex("\"" + name + "\":([0-9]+)"))) return 0;
        return std::stoi(m[1]);
    }
};

TEST(GatewayTlsProcess, SighupRotatesTheServerCertificateAndABrokenOneIsKept) {
    test_pki pki;
    auto ca = pki.make_ca("clients-ca"), server_ca = pki.make_ca("server-ca");
    auto server = pki.issue_server(server_ca, "server");
    auto client_cert = pki.issue_client(ca, "client", "proc-client");
    const std::string topic = unique_topic("tls.proc");
    auto cfg = pki.dir() / "config.yaml";
    std::ofstream(cfg) << "gateway: {instance: tls-proc, drain_timeout_ms: 10000}\n"
                          "listeners:\n"
                          "  http:\n"
                          "    - {name: ingest, address: 127.0.0.1, port: 0,\n"
                          "       tls: {cert_file: server.crt, key_file: server.key,\n"
                          "             client_ca_file: clients-ca.crt, client_auth: required}}\n"
                          "  admin: {address: 127.0.0.1, port: 0}\n"
                          "feeds:\n"
                          "  - {id: p, agency: ap, format: ninjs,\n"
                          "     auth: {client_certificates: [{subject_cn: proc-client}]}}\n"
                          "routing: {topics: ["
                       << topic << "], default_topics: [" << topic << "], rejected_topic: " << topic
                       << "}\n"
                          "kafka:\n  brokers: "
                       << test_brokers()
                       << "\n  create_topics: {partitions: 1, replication_factor: 1}\n"
                          "dedup: {enabled: false}\n";

    serve_process child(cfg);
    ASSERT_TRUE(child.wait_for("\"event\":\"started\"")) << child.log;
    const auto port = static_cast<std::uint16_t>(child.port("ingest_port"));
    const auto admin = static_cast<std::uint16_t>(child.port("admin_port"));
    tls_client_options o{server_ca.cert_file, client_cert.cert_file, client_cert.key_file, 0};
    const auto story = read_file(fixtures_dir() / "ninjs/good/001-text-2x.json");
    ASSERT_TRUE(eventually(
        [&] {
            tls_client c(port, o);
            return c.handshake().empty() && c.post_story("p", "", story).status == 200;
        },
        30s));
    const auto first_serial = server.serial();
    tls_client before(port, o);
    ASSERT_EQ(before.handshake(), "");
    EXPECT_EQ(before.server_cert_serial(), first_serial);

    // A new certificate moved into place, then SIGHUP.
    auto next = pki.issue_server(server_ca, "server-next");
    fs::rename(next.cert_file, server.cert_file);
    fs::rename(next.key_file, server.key_file);
    const auto next_serial = server.serial();
    ASSERT_NE(next_serial, first_serial);
    ASSERT_EQ(kill(child.pid, SIGHUP), 0);
    ASSERT_TRUE(child.wait_for("\"event\":\"tls_reloaded\"")) << child.log;
    tls_client after(port, o);
    ASSERT_EQ(after.handshake(), "");
    EXPECT_EQ(after.server_cert_serial(), next_serial);
    EXPECT_EQ(before.server_cert_serial(), first_serial);  // open connections keep theirs
    EXPECT_EQ(before.post_story("p", "", story).status, 200);

    // A broken certificate: the one in use stays, the error is logged and counted.
    std::ofstream(server.cert_file, std::ios::trunc) << "not a certificate\n";
    ASSERT_EQ(kill(child.pid, SIGHUP), 0);
    ASSERT_TRUE(child.wait_for("\"event\":\"tls_reload_failed\"")) << child.log;
    tls_client third(port, o);
    ASSERT_EQ(third.handshake(), "");
    EXPECT_EQ(third.server_cert_serial(), next_serial);
    EXPECT_EQ(third.post_story("p", "", story).status, 200);
    http_client metrics(admin);
    auto m = metrics.request("GET", "/metrics", "");
    EXPECT_NE(m.body.find(R"(wiregate_tls_reloads_total{listener="ingest",result="error"} 1)"),
              std::string::npos)
        << m.body;
    EXPECT_NE(m.body.find(R"(wiregate_tls_reloads_total{listener="ingest",result="ok"} 1)"),
              std::string::npos)
        << m.body;

    ASSERT_EQ(kill(child.pid, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child.pid, &status, 0), child.pid);
    child.pid = -1;
    child.wait_for("\u0000never");  // the rest of its log, for the messages below
    ASSERT_TRUE(WIFEXITED(status)) << child.log;
    EXPECT_EQ(WEXITSTATUS(status), 0) << child.log;
}

}  // namespace
