#pragma once
// Little-endian integers and CRC-32 for the gateway's on-disk records (spool segments and the
// dedup log): one definition, so both files stay readable on any host byte order.
#include <boost/crc.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace wire::spool::bytes {

inline void put_le(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

/// Callers check the bounds first.
inline std::uint64_t get_le(std::string_view in, std::size_t pos, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= std::uint64_t(static_cast<unsigned char>(in[pos + i])) << (8 * i);
    return v;
}

inline std::uint32_t crc_of(std::string_view bytes) {
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

}  // namespace wire::spool::bytes
