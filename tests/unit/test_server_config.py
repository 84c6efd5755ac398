"""The neo4j.conf kg writes for its local server."""

from __future__ import annotations

from pathlib import Path

from kg.server import docker, jar


def _written_settings(home: Path, bolt_port: int, http_port: int) -> dict[str, str]:
    (home / "conf").mkdir(parents=True)
    config = jar.ServerConfig(home=home, lib=home / "lib", bolt_port=bolt_port, http_port=http_port)
    jar.write_config(config)
    lines = (home / "conf" / "neo4j.conf").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_the_advertised_addresses_are_the_configured_ones(tmp_path: Path) -> None:
    """Browser's connect form offers the advertised Bolt address: never the default 7687 when
    kg's server listens elsewhere."""
    settings = _written_settings(tmp_path, bolt_port=47687, http_port=47474)
    assert settings["server.bolt.listen_address"] == "127.0.0.1:47687"
    assert settings["server.bolt.advertised_address"] == "127.0.0.1:47687"
    assert settings["server.http.listen_address"] == "127.0.0.1:47474"
    assert settings["server.http.advertised_address"] == "127.0.0.1:47474"
    assert settings["server.default_advertised_address"] == "127.0.0.1"


def test_usage_reporting_and_browser_analytics_are_off(tmp_path: Path) -> None:
    settings = _written_settings(tmp_path, bolt_port=47687, http_port=47474)
    assert settings["dbms.usage_report.enabled"] == "false"
    assert settings["client.allow_telemetry"] == "false"


def test_the_browser_url_and_bolt_uri_follow_the_ports(tmp_path: Path) -> None:
    config = jar.ServerConfig(home=tmp_path, lib=tmp_path, bolt_port=40001, http_port=40002)
    assert config.bolt_uri == "bolt://127.0.0.1:40001"
    assert config.browser_url == "http://127.0.0.1:40002/browser/"


def test_docker_compose_publishes_and_advertises_the_configured_ports() -> None:
    env = docker.compose_environment("secret", bolt_port=47687, http_port=47474)
    assert env == {
        "NEO4J_PASSWORD": "secret",
        "KG_NEO4J_BOLT_PORT": "47687",
        "KG_NEO4J_HTTP_PORT": "47474",
    }
    compose = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    assert '"127.0.0.1:${KG_NEO4J_BOLT_PORT:-7687}:7687"' in compose
    assert '"127.0.0.1:${KG_NEO4J_HTTP_PORT:-7474}:7474"' in compose
    assert 'NEO4J_server_bolt_advertised__address: "127.0.0.1:${KG_NEO4J_BOLT_PORT:-7687}"' in (
        compose
    )
