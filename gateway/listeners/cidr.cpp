// Address ranges for listeners.streams[].allow_from.
#include <array>

#include "listeners/stream_listener.hpp"

namespace wire::listeners {

namespace asio = boost::asio;

bool cidr::contains(const asio::ip::address& a) const {
    auto bytes_of = [](const asio::ip::address& x) {
        std::array<unsigned char, 16> b{};
        if (x.is_v4()) {
            auto v4 = x.to_v4().to_bytes();
            std::copy(v4.begin(), v4.end(), b.begin());
        } else {
            b = x.to_v6().to_bytes();
        }
        return b;
    };
    asio::ip::address x = a;
    if (x.is_v6() && x.to_v6().is_v4_mapped() && network.is_v4())
        x = asio::ip::make_address_v4(asio::ip::v4_mapped, x.to_v6());
    if (x.is_v4() != network.is_v4()) return false;
    auto n = bytes_of(network), b = bytes_of(x);
    unsigned bits = prefix;
    for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
        unsigned char mask = bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
        if ((n[i] & mask) != (b[i] & mask)) return false;
    }
    return true;
}

bool parse_cidr(std::string_view text, cidr& out) {
    auto slash = text.find('/');
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(std::string(text.substr(0, slash)), ec);
    if (ec) return false;
    unsigned max = addr.is_v4() ? 32 : 128, prefix = max;
    if (slash != std::string_view::npos) {
        auto p = text.substr(slash + 1);
        if (p.empty() || p.size() > 3) return false;
        prefix = 0;
        for (char c : p) {
            if (c < '0' || c > '9') return false;
            prefix = prefix * 10 + static_cast<unsigned>(c - '0');
        }
        if (prefix > max) return false;
    }
    out = {addr, prefix};
    return true;
}

}  // namespace wire::listeners
