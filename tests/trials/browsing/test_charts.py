"""The home page's SVG charts: accessible, escaped, and stating their values as text."""

from trials.browsing.charts import Bar, bar_chart, column_chart, wrap


def test_a_bar_chart_names_itself_and_states_every_value_in_its_description():
    svg = bar_chart(chart_id="c", title="Trials by route", bars=[Bar("Intrathecal", 24)])

    assert 'role="img"' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Trials by route</title>' in svg
    assert '<desc id="c-desc">Intrathecal: 24 trials.</desc>' in svg


def test_a_bar_chart_draws_each_value_as_text_beside_its_bar():
    svg = bar_chart(chart_id="c", title="t", bars=[Bar("MSC", 26), Bar("NSC", 4)])

    assert '<text class="chart-value" x="86.00%" dx="5"' in svg  # the largest bar is the longest
    assert ">26</text>" in svg
    assert ">4</text>" in svg
    assert svg.count('class="chart-bar"') == 2


def test_bars_are_proportional_to_their_values():
    svg = bar_chart(chart_id="c", title="t", bars=[Bar("a", 10), Bar("b", 5)])

    assert 'width="86.00%"' in svg
    assert 'width="43.00%"' in svg


def test_labels_and_titles_are_escaped():
    svg = bar_chart(chart_id="c", title="<b>", bars=[Bar("<script>alert(1)</script>", 1)])

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert '<title id="c-title">&lt;b&gt;</title>' in svg


def test_a_long_label_wraps_onto_several_lines_rather_than_running_off_the_chart():
    label = "Mononuclear cells (bone marrow or blood, not expanded)"

    lines = wrap(label)
    svg = bar_chart(chart_id="c", title="t", bars=[Bar(label, 4)])

    assert len(lines) == 2
    assert " ".join(lines) == label
    assert svg.count("<tspan") == 2


def test_a_chart_without_data_says_so():
    svg = bar_chart(chart_id="c", title="t", bars=[])

    assert "No data yet." in svg
    assert '<desc id="c-desc">No trials.</desc>' in svg


def test_a_column_chart_labels_every_year_when_there_are_few():
    bars = [Bar(str(year), n) for year, n in [(2019, 1), (2020, 0), (2021, 3)]]

    svg = column_chart(chart_id="y", title="Trials by start year", bars=bars)

    assert all(f">{year}</text>" in svg for year in ("2019", "2020", "2021"))
    assert svg.count('class="chart-bar"') == 3
    assert ">0</text>" not in svg  # an empty year has a column of height 0 and no value text
    assert "2020: 0 trials" in svg


def test_a_column_chart_thins_its_labels_past_a_dozen_columns():
    bars = [Bar(str(year), 1) for year in range(2000, 2025)]  # 25 years

    svg = column_chart(chart_id="y", title="t", bars=bars)

    assert ">2000</text>" in svg
    assert ">2003</text>" in svg
    assert ">2001</text>" not in svg
