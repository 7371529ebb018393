"""The embedded channel layer: broadcasts reach every socket; dead sockets still expire."""

import time

import time_machine

from civic.live.layers import RoomSizedInMemoryChannelLayer


async def test_a_broadcast_reaches_every_member_of_a_large_room():
    layer = RoomSizedInMemoryChannelLayer(capacity=1000)
    channels = [await layer.new_channel() for _ in range(300)]
    for name in channels:
        await layer.group_add("assembly-1", name)
    for n in range(3):
        await layer.group_send("assembly-1", {"type": "live.event", "n": n})
    for name in channels:
        received = [(await layer.receive(name))["n"] for _ in range(3)]
        assert received == [0, 1, 2]


async def test_expired_messages_still_drop_their_socket_from_groups():
    layer = RoomSizedInMemoryChannelLayer(expiry=60)
    alive, gone = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("assembly-1", alive)
    await layer.group_add("assembly-1", gone)
    await layer.group_send("assembly-1", {"type": "live.event"})
    await layer.receive(alive)
    with time_machine.travel(time.time() + 120, tick=False):
        layer._last_sweep = 0.0  # the next receive sweeps
        await layer.group_send("assembly-1", {"type": "live.event"})
        await layer.receive(alive)
    assert gone not in layer.groups.get("assembly-1", {})
    assert alive in layer.groups["assembly-1"]
