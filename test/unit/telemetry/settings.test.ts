import { describe, expect, it } from 'vitest';
import { packageVersion, resourceAttributes, telemetrySettings } from '../../../libs/telemetry/settings.js';

const version = (): string => '9.9.9';

describe('telemetry settings', () => {
  it('turns traces off when no OTLP endpoint or exporter is configured', () => {
    expect(telemetrySettings({}, version).tracesOn).toBe(false);
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, version).tracesOn).toBe(false);
  });

  it('turns traces on with an endpoint, a traces endpoint, or a named exporter', () => {
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, version).tracesOn).toBe(true);
    expect(telemetrySettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:4318/v1/traces' }, version).tracesOn).toBe(true);
    expect(telemetrySettings({ OTEL_TRACES_EXPORTER: 'console' }, version).tracesOn).toBe(true);
  });

  it('lets OTEL_TRACES_EXPORTER=none win over an endpoint', () => {
    expect(
      telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }, version).tracesOn,
    ).toBe(false);
  });

  it('names the service from OTEL_SERVICE_NAME first, then SAMSA_SERVICE_NAME', () => {
    expect(telemetrySettings({ OTEL_SERVICE_NAME: 'a', SAMSA_SERVICE_NAME: 'b' }, version).serviceName).toBe('a');
    expect(telemetrySettings({ SAMSA_SERVICE_NAME: 'samsa-broker' }, version).serviceName).toBe('samsa-broker');
    expect(telemetrySettings({}, version).serviceName).toBe('samsa');
  });

  it('gives every process an instance id and a version as resource attributes', () => {
    const s = telemetrySettings({ SAMSA_SERVICE_NAME: 'samsa-broker', SAMSA_INSTANCE_ID: 'broker-2' }, version);
    expect(resourceAttributes(s)).toEqual({
      'service.name': 'samsa-broker',
      'service.namespace': 'samsa',
      'service.instance.id': 'broker-2',
      'service.version': '9.9.9',
    });
    expect(telemetrySettings({}, version).instanceId).toMatch(new RegExp(`-${process.pid}$`));
    expect(telemetrySettings({ SAMSA_VERSION: '1.2.3' }, version).version).toBe('1.2.3');
  });

  it('reads the version from the checkout package.json', () => {
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reads the metrics port, 0 meaning off, and refuses a non-port', () => {
    expect(telemetrySettings({}, version).metricsPort).toBe(0);
    expect(telemetrySettings({ SAMSA_METRICS_PORT: '9464', SAMSA_METRICS_HOST: '0.0.0.0' }, version)).toMatchObject({
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
    });
    expect(() => telemetrySettings({ SAMSA_METRICS_PORT: 'x' }, version)).toThrow(/SAMSA_METRICS_PORT/);
    expect(() => telemetrySettings({ SAMSA_METRICS_PORT: '70000' }, version)).toThrow(/SAMSA_METRICS_PORT/);
    // The share of background work traced: 0 unless set, a number from 0 to 1.
    expect(telemetrySettings({}, version).backgroundTraceRatio).toBe(0);
    expect(telemetrySettings({ SAMSA_TRACE_BACKGROUND_RATIO: '0.25' }, version).backgroundTraceRatio).toBe(0.25);
    expect(() => telemetrySettings({ SAMSA_TRACE_BACKGROUND_RATIO: '2' }, version)).toThrow(/SAMSA_TRACE_BACKGROUND_RATIO/);
  });
});
