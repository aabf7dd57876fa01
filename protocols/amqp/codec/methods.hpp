#pragma once
// Every AMQP 0-9-1 method RabbitMQ speaks, one plain struct each (methods/*.hpp), gathered in
// one variant. Each struct names its wire ids (kClassId, kMethodId) and its spec name (kName).
// The alternatives are listed in (class id, method id) order; the decoder relies on it.

#include <cstdint>
#include <variant>

#include "protocols/amqp/codec/methods/basic.hpp"
#include "protocols/amqp/codec/methods/channel.hpp"
#include "protocols/amqp/codec/methods/confirm_tx.hpp"
#include "protocols/amqp/codec/methods/connection.hpp"
#include "protocols/amqp/codec/methods/exchange.hpp"
#include "protocols/amqp/codec/methods/queue.hpp"

namespace sy::amqp {

using Method = std::variant<
    // connection (10)
    ConnectionStart, ConnectionStartOk, ConnectionSecure, ConnectionSecureOk, ConnectionTune,
    ConnectionTuneOk, ConnectionOpen, ConnectionOpenOk, ConnectionClose, ConnectionCloseOk,
    ConnectionBlocked, ConnectionUnblocked, ConnectionUpdateSecret, ConnectionUpdateSecretOk,
    // channel (20)
    ChannelOpen, ChannelOpenOk, ChannelFlow, ChannelFlowOk, ChannelClose, ChannelCloseOk,
    // exchange (40)
    ExchangeDeclare, ExchangeDeclareOk, ExchangeDelete, ExchangeDeleteOk, ExchangeBind,
    ExchangeBindOk, ExchangeUnbind, ExchangeUnbindOk,
    // queue (50)
    QueueDeclare, QueueDeclareOk, QueueBind, QueueBindOk, QueuePurge, QueuePurgeOk, QueueDelete,
    QueueDeleteOk, QueueUnbind, QueueUnbindOk,
    // basic (60)
    BasicQos, BasicQosOk, BasicConsume, BasicConsumeOk, BasicCancel, BasicCancelOk, BasicPublish,
    BasicReturn, BasicDeliver, BasicGet, BasicGetOk, BasicGetEmpty, BasicAck, BasicReject,
    BasicRecoverAsync, BasicRecover, BasicRecoverOk, BasicNack,
    // confirm (85), tx (90)
    ConfirmSelect, ConfirmSelectOk, TxSelect, TxSelectOk, TxCommit, TxCommitOk, TxRollback,
    TxRollbackOk>;

std::uint16_t class_id(const Method& method);
std::uint16_t method_id(const Method& method);
const char* method_name(const Method& method);  // "basic.publish"

// The spec name of a method given by its ids, or nullptr if this codec does not know it.
const char* method_name(std::uint16_t class_id, std::uint16_t method_id);

// basic.publish, basic.return, basic.deliver and basic.get-ok: a content header and body
// frames follow on the same channel.
bool carries_content(const Method& method);

}  // namespace sy::amqp
