from fpga_image_service.formats.window import Window


def test_window_collects_its_range_across_chunks() -> None:
    window = Window(5, 6)
    stream = bytes(range(20))

    assert not window.offer(stream[0:7], 0)
    assert window.offer(stream[7:9], 7) is False
    assert window.offer(stream[9:20], 9)

    assert window.data == stream[5:11]


def test_window_ignores_chunks_outside_its_range() -> None:
    window = Window(100, 4)

    assert not window.offer(b"x" * 50, 0)
    assert window.data == b""


def test_window_takes_bytes_offered_twice_only_once() -> None:
    window = Window(0, 8)
    window.offer(b"abcd", 0)
    window.offer(b"abcdefgh", 0)

    assert window.data == b"abcdefgh"


def test_window_of_zero_length_is_complete_at_once() -> None:
    window = Window(10, 0)

    assert window.complete
    assert window.offer(b"", 0)
