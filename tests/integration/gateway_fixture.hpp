#pragma once
// A GoogleTest base that runs the gateway in process on ephemeral ports against the real broker.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include <spdlog/spdlog.h>

#include "gateway_test_env.hpp"
#include "kafka_test_env.hpp"
#include "service/gateway_service.hpp"

namespace wire::testing {

class gateway_test : public ::testing::Test {
  protected:
    /// Builds the config for `fixtures` (tests may edit cfg_ before start_gateway()).
    void make(const std::vector<fixture>& fixtures = {}) { cfg_ = make_config(fixtures, topics_); }
    void start_gateway() {
        spdlog::set_level(spdlog::level::warn);  // one line per story would drown the test output
        svc_ = std::make_unique<service::gateway_service>(cfg_, "");
        auto err = svc_->start();
        ASSERT_EQ(err, "") << "the gateway did not start";
        ASSERT_TRUE(eventually([&] { return svc_->not_ready().empty(); }, std::chrono::seconds(30)))
            << "not ready: " << (svc_->not_ready().empty() ? "" : svc_->not_ready().front());
    }
    void TearDown() override {
        if (svc_) svc_->drain();
        svc_.reset();
        std::error_code ec;
        if (!cfg_.spool.dir.empty()) std::filesystem::remove_all(cfg_.spool.dir, ec);
    }
    std::uint16_t port() const { return svc_->http_port(); }

    config::gateway_config cfg_;
    test_topics topics_;
    std::unique_ptr<service::gateway_service> svc_;
};

}  // namespace wire::testing
