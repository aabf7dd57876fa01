#pragma once
// An exclusive advisory lock (flock) on "<db path>.lock", held for the life of the store. Two
// gateways writing one database would each hand out message ids from the same ceiling and
// delete each other's rows; the second one is refused at open instead. The kernel drops the
// lock when the process dies, so a crash never leaves a stale lock behind.

#include <expected>
#include <string>

namespace sy::storage::sqlite {

class FileLock {
public:
    static std::expected<FileLock, std::string> acquire(const std::string& path);

    FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace sy::storage::sqlite
