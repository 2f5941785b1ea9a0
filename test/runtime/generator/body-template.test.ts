import { describe, expect, it } from "vitest";
import { BodyTemplate, TemplateError } from "../../../runtime/sources/generator/body-template";

const VALUES = { timestamp: "1795262400000", iso8601: "2026-11-21T12:00:00.000Z", host: "web-1" };

describe("BodyTemplate", () => {
  it("renders every placeholder", () => {
    const template = new BodyTemplate("%{seq} %{seq:6} %{timestamp} %{iso8601} %{host}");
    expect(template.render(42, VALUES)).toBe("42 000042 1795262400000 2026-11-21T12:00:00.000Z web-1");
    expect(template.usesTime).toBe(true);
    expect(template.fixed).toBeUndefined();
  });

  it("does not cut a number wider than its padding", () => {
    expect(new BodyTemplate("%{seq:2}").render(12345, VALUES)).toBe("12345");
  });

  it("treats %% as a literal % and a % before anything else literally", () => {
    const template = new BodyTemplate("100%% of %{seq}, 50% off, %%{seq}");
    expect(template.render(7, VALUES)).toBe("100% of 7, 50% off, %{seq}");
  });

  it("makes one shared buffer of a body without placeholders", () => {
    const template = new BodyTemplate("static 100%% ü");
    expect(template.fixed?.toString("utf8")).toBe("static 100% ü");
    expect(template.usesTime).toBe(false);
    expect(new BodyTemplate("").fixed?.length).toBe(0);
  });

  it.each(["%{sequence}", "%{seq:0}", "%{seq:21}", "%{seq:x}", "%{}", "%{HOST}"])("refuses %s, naming the placeholders it knows", (body) => {
    expect(() => new BodyTemplate(body)).toThrow(TemplateError);
    expect(() => new BodyTemplate(body)).toThrow(/unknown placeholder .*`%\{seq\}`, `%\{seq:N\}`, `%\{timestamp\}`, `%\{iso8601\}`, `%\{host\}`/);
  });
});
