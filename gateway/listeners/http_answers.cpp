// The answers http_server writes on its own (JSON errors, read failures) and the helpers every
// handler uses to write theirs; apart from the session code so that the HTTP fuzzer shares them.
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>

#include "core/json_writer.hpp"
#include "listeners/http_server.hpp"
#include "version.hpp"

namespace wire::listeners {

namespace asio = boost::asio;
namespace beast = boost::beast;

http_response json_response(http::status status, std::string body, unsigned version,
                            std::uint32_t retry_after) {
    http_response r{status, version};
    r.set(http::field::server, std::string("wiregate/") + gateway::k_version);
    r.set(http::field::content_type, "application/json");
    r.set(http::field::cache_control, "no-store");
    if (retry_after > 0) r.set(http::field::retry_after, std::to_string(retry_after));
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

std::string error_body(std::string_view code, std::string_view message) {
    adapters::json_writer w;
    w.begin_object().key("error").begin_object();
    w.key("code").value(code).key("message").value(message);
    w.end_object().end_object();
    return w.take();
}

void apply_limits(http_request_parser& parser, const http_server_limits& limits) {
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
}

http_response http_handler::over_budget(const http_request_header& h) {
    return json_response(http::status::too_many_requests,
                         error_body("over_capacity", "too much in flight; retry later"),
                         h.version(), 1);
}

std::optional<http_response> read_error_answer(const beast::error_code& ec,
                                               const http_server_limits& limits) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::ssl::error::stream_truncated)
        return std::nullopt;
    if (ec == http::error::body_limit)
        return json_response(
            http::status::payload_too_large,
            error_body("too_large", "the body exceeds the limit of " +
                                        std::to_string(limits.max_body_bytes) + " bytes"));
    if (ec == http::error::header_limit)
        return json_response(
            http::status::request_header_fields_too_large,
            error_body("header_too_large", "the request header exceeds the limit"));
    return json_response(http::status::bad_request, error_body("bad_request", ec.message()));
}

}  // namespace wire::listeners
