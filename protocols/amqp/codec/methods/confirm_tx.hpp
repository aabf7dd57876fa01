#pragma once
// confirm class (85, RabbitMQ's publisher confirms) and tx class (90).

#include <cstdint>

#include "protocols/amqp/codec/constants.hpp"

namespace sy::amqp {

struct ConfirmSelect {
    static constexpr std::uint16_t kClassId = kConfirmClass, kMethodId = 10;
    static constexpr const char* kName = "confirm.select";
    bool no_wait = false;
    bool operator==(const ConfirmSelect&) const = default;
};

struct ConfirmSelectOk {
    static constexpr std::uint16_t kClassId = kConfirmClass, kMethodId = 11;
    static constexpr const char* kName = "confirm.select-ok";
    bool operator==(const ConfirmSelectOk&) const = default;
};

struct TxSelect {
    static constexpr std::uint16_t kClassId = kTxClass, kMethodId = 10;
    static constexpr const char* kName = "tx.select";
    bool operator==(const TxSelect&) const = default;
};

struct TxSelectOk {
    static constexpr std::uint16_t kClassId = kTxClass, kMethodId = 11;
    static constexpr const char* kName = "tx.select-ok";
    bool operator==(const TxSelectOk&) const = default;
};

struct TxCommit {
    static constexpr std::uint16_t kClassId = kTxClass, kMethodId = 20;
    static constexpr const char* kName = "tx.commit";
    bool operator==(const TxCommit&) const = default;
};

struct TxCommitOk {
    static constexpr std::uint16_t kClassId = kTxClass, kMethodId = 21;
    static constexpr const char* kName = "tx.commit-ok";
    bool operator==(const TxCommitOk&) const = default;
};

struct TxRollback {
    static constexpr std::uint16_t kClassId = kTxClass, kMethodId = 30;
    static constexpr const char* kName = "tx.rollback";
    bool operator==(const TxRollback&) const = default;
};

struct TxRollbackOk {
    static constexpr std::uint16_t kClassId = kTxClass, kMethodId = 31;
    static constexpr const char* kName = "tx.rollback-ok";
    bool operator==(const TxRollbackOk&) const = default;
};

}  // namespace sy::amqp
