from __future__ import annotations

import pytest

from cleaners.config import Config, ConfigError, config_from_dict, load_config


def test_file_overrides_only_the_keys_it_sets(tmp_path):
    path = tmp_path / "newsclean.toml"
    path.write_text("[dedup]\nthreshold = 0.8\n[quality]\nmin_words = 10\n", encoding="utf-8")
    cfg = load_config(path)
    assert cfg.dedup.threshold == 0.8 and cfg.quality.min_words == 10
    assert cfg.dedup.num_perm == Config().dedup.num_perm
    assert cfg.pipeline == Config().pipeline


@pytest.mark.parametrize("data,message", [
    ({"dedupe": {}}, "unknown config section '[dedupe]'; valid sections: boilerplate, dedup, input"),
    ({"dedup": {"treshold": 0.5}}, "unknown config key 'dedup.treshold'; valid keys: shingle_size, num_perm"),
    ({"dedup": {"threshold": "high"}}, "config key 'dedup.threshold' must be float"),
    ({"pipeline": {"cleaners": ["unicode", "typo"]}}, "unknown cleaner(s) typo; valid cleaners: unicode, metadata"),
    ({"dedup": {"threshold": 1.0}}, "dedup.threshold must be between 0 and 1 (exclusive)"),
    ({"dedup": {"threshold": 0.99}}, "dedup.threshold 0.99 with dedup.num_perm 128: The number of bands are too small"),
])
def test_mistakes_raise_clear_errors(data, message):
    with pytest.raises(ConfigError) as err:
        config_from_dict(data)
    assert message in str(err.value)


def test_missing_or_broken_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    (tmp_path / "bad.toml").write_text("[dedup\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(tmp_path / "bad.toml")


def test_shipped_example_config_is_valid():
    from .conftest import ROOT

    assert load_config(ROOT / "newsclean.toml") == Config()
