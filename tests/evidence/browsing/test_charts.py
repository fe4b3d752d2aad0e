"""The geometry of the per-measure chart. No database."""

from evidence.browsing.charts import LEFT, WIDTH, Point, build_chart, spread_of


def test_the_spread_drawn_is_the_registrys_limits_else_value_plus_minus_spread():
    assert spread_of(5.0, 2.0, None, None) == (3.0, 7.0)
    assert spread_of(5.0, 2.0, 4.0, 9.0) == (4.0, 9.0)  # an interquartile range or a CI
    assert spread_of(5.0, None, None, None) == (None, None)


def test_values_are_placed_on_one_axis_from_the_lowest_to_the_highest_number():
    chart = build_chart([Point("cells", "cell", 0.0, -1.0, 1.0), Point("placebo", "control", 3.0)])

    cells, placebo = chart.rows
    assert (cells.x_low, placebo.x) == (LEFT, WIDTH - LEFT)
    assert cells.x == LEFT + (WIDTH - 2 * LEFT) / 4
    assert (placebo.x_low, placebo.x_high) == (None, None)
    assert (chart.min_label, chart.max_label) == ("-1", "3")
    assert chart.zero_x == cells.x  # the zero line runs through the value 0
    assert placebo.y > cells.y and chart.height > chart.axis_y > placebo.y


def test_equal_values_get_room_around_them_and_zero_is_marked_when_inside():
    chart = build_chart([Point("a", "", 10.0), Point("b", "", 10.0)])

    assert (chart.min_label, chart.max_label) == ("9", "11")
    assert chart.rows[0].x == WIDTH / 2
    assert build_chart([Point("a", "", -2.0), Point("b", "", 2.0)]).zero_x == WIDTH / 2


def test_nothing_to_draw_gives_no_chart():
    assert build_chart([]) is None
