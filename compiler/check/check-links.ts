import type { LinkAgreement, PropertyValue } from "../../runtime/spec";
import { COMPONENT_SPECS } from "../../runtime/registry";
import { type DiagnosticBag, listNames, nearestNames, type Span, withArticle } from "../diagnostics";
import type { CheckedComponent, CheckedLink, CheckedTier, ResolvedValue } from "./checked-model";

/** A component's link property, once its target is found. */
interface FoundLink {
  readonly link: CheckedLink;
  readonly tier: CheckedTier;
  readonly component: CheckedComponent;
  readonly target: CheckedComponent;
  readonly targetTier: CheckedTier;
  readonly agree: readonly LinkAgreement[];
  readonly span: Span;
}

/** What `checkLinks` hands on: the links, and the tiers with inherited settings filled in. */
export interface LinkedTiers {
  readonly tiers: readonly CheckedTier[];
  readonly links: readonly CheckedLink[];
}

/**
 * Checks the links between tiers, which only the whole build can see: every `link` property (a `forward`
 * sink's `to = collector.inbound`) must name a source of the right kind in another tier; the settings the
 * link type lists must agree on both ends; tiers must not forward in a cycle; and a receiving source that
 * no tier sends to is pointed out. Settings marked `inherit` (the port) are copied from the target when
 * the linking component leaves them unset, so both ends are written once.
 */
export function checkLinks(tiers: readonly CheckedTier[], diagnostics: DiagnosticBag): LinkedTiers {
  const byName = new Map(tiers.map((tier) => [tier.decl.name.text, tier]));
  const found: FoundLink[] = [];
  for (const tier of tiers) {
    const file = tier.file.source;
    for (const component of tier.components) {
      for (const [key, propertySpec] of Object.entries(component.spec.properties)) {
        if (propertySpec.type.kind !== "link") continue;
        const value = component.properties.get(key);
        if (value?.kind !== "literal" || typeof value.value !== "string") continue;
        const span = propertySpan(component, key);
        const [tierName = "", sourceName = ""] = value.value.split(".");
        const subject = `${component.decl.role} \`${component.decl.name.text}\``;
        const wanted = propertySpec.type.to;
        const targetTier = byName.get(tierName);
        if (targetTier === undefined) {
          const near = nearestNames(tierName, [...byName.keys()]);
          diagnostics.report("FLOW5004", file, span, `${subject} links to \`${value.value}\`, but there is no tier \`${tierName}\``, {
            label: "unknown tier",
            help: near.length > 0 ? `a tier with a similar name exists: ${listNames(near)}` : `the tiers of this build are ${listNames([...byName.keys()])}; import the file that declares the other tier`,
          });
          continue;
        }
        if (targetTier === tier) {
          diagnostics.report("FLOW5004", file, span, `${subject} links to its own tier \`${tierName}\``, {
            label: "a link goes to another tier",
            help: "within a tier, wire the components directly: `source -> channel -> sink`",
          });
          continue;
        }
        const target = targetTier.components.find((candidate) => candidate.decl.role === "source" && candidate.decl.name.text === sourceName);
        if (target === undefined) {
          const sources = targetTier.components.filter((candidate) => candidate.decl.role === "source" && candidate.spec.kind === wanted).map((candidate) => candidate.decl.name.text);
          const near = nearestNames(sourceName, sources);
          diagnostics.report("FLOW5004", file, span, `tier \`${tierName}\` has no source \`${sourceName}\``, {
            label: `${subject} links here`,
            help:
              near.length > 0
                ? `a source with a similar name exists: ${listNames(near)}`
                : sources.length > 0
                  ? `its \`${wanted}\` sources are ${listNames(sources)}`
                  : `tier \`${tierName}\` has no \`${wanted}\` source; add one, e.g. \`source inbound = ${wanted} { port = 24224 }\``,
          });
          continue;
        }
        if (target.spec.kind !== wanted) {
          diagnostics.report("FLOW5005", file, span, `\`${value.value}\` is ${withArticle(`\`${target.spec.kind}\``)} source, and ${subject} sends to \`${wanted}\` sources`, {
            label: `not ${withArticle(`\`${wanted}\``)} source`,
            help: `tier \`${tierName}\` receives from other tiers through a \`${wanted}\` source`,
          });
          continue;
        }
        const link: CheckedLink = { fromTier: tier.decl.name.text, from: component.decl.name.text, property: key, toTier: tierName, to: sourceName };
        found.push({ link, tier, component, target, targetTier, agree: propertySpec.type.agree ?? [], span });
      }
    }
  }

  const inherited = new Map<CheckedComponent, Map<string, ResolvedValue>>();
  for (const item of found) checkAgreements(item, diagnostics, inherited);
  reportCycles(found, diagnostics);
  reportUnreached(tiers, found, diagnostics);

  const linkedTiers = tiers.map((tier) => {
    if (!tier.components.some((component) => inherited.has(component))) return tier;
    return { ...tier, components: tier.components.map((component) => withInherited(component, inherited.get(component))) };
  });
  return { tiers: linkedTiers, links: found.map((item) => item.link) };
}

function withInherited(component: CheckedComponent, values: ReadonlyMap<string, ResolvedValue> | undefined): CheckedComponent {
  if (values === undefined) return component;
  return { ...component, properties: new Map([...component.properties, ...values]) };
}

/** A property as the build knows it: written, from the environment at start, a default, or unset. */
type Known =
  | { readonly kind: "value"; readonly value: PropertyValue; readonly written: boolean }
  | { readonly kind: "env"; readonly name: string }
  /** Written, but reported as wrong already: nothing to compare. */
  | { readonly kind: "invalid" }
  | { readonly kind: "unset" };

function known(component: CheckedComponent, key: string): Known {
  const value = component.properties.get(key);
  if (value?.kind === "literal") return { kind: "value", value: value.value, written: true };
  if (value?.kind === "env") return { kind: "env", name: value.name };
  if (value?.kind === "map") return { kind: "value", value: {}, written: true };
  if (value?.kind === "invalid") return { kind: "invalid" };
  const fallback = component.spec.properties[key]?.default;
  return fallback === undefined ? { kind: "unset" } : { kind: "value", value: fallback, written: false };
}

const shown = (value: PropertyValue): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

function checkAgreements(item: FoundLink, diagnostics: DiagnosticBag, inherited: Map<CheckedComponent, Map<string, ResolvedValue>>): void {
  const { component, target, link, span } = item;
  const file = item.tier.file.source;
  const subject = `${component.decl.role} \`${component.decl.name.text}\``;
  const there = `\`${link.toTier}.${link.to}\``;
  const report = (message: string, label: string, help: string): void => {
    diagnostics.report("FLOW5006", file, span, message, { label, help });
  };
  for (const agreement of item.agree) {
    const mine = known(component, agreement.here);
    const theirs = known(target, agreement.there);
    switch (agreement.rule) {
      case "same": {
        if (agreement.inherit === true && (mine.kind === "unset" || (mine.kind === "value" && !mine.written))) {
          if (theirs.kind === "value") {
            const values = inherited.get(component) ?? new Map<string, ResolvedValue>();
            values.set(agreement.here, { kind: "literal", value: theirs.value });
            inherited.set(component, values);
          } else if (theirs.kind === "env") {
            report(
              `${there} reads its \`${agreement.there}\` from \`env("${theirs.name}")\` when it starts, so ${subject} cannot take it from there`,
              `\`${agreement.here}\` is not known at build time`,
              `set \`${agreement.here}\` on ${subject} too, e.g. \`${agreement.here} = env("${theirs.name}")\` read on this tier's host`,
            );
          }
          break;
        }
        if (mine.kind === "value" && theirs.kind === "value" && shown(mine.value) !== shown(theirs.value)) {
          report(
            `\`${agreement.here}\` of ${subject} is ${shown(mine.value)}, but \`${agreement.there}\` of ${there} is ${shown(theirs.value)}`,
            "the two ends of this link disagree",
            `make them equal${agreement.inherit === true ? `, or leave \`${agreement.here}\` unset to take it from ${there}` : ""}`,
          );
        }
        break;
      }
      case "both-or-neither": {
        const mineSet = mine.kind !== "unset";
        const theirsSet = theirs.kind !== "unset";
        if (mineSet !== theirsSet) {
          report(
            mineSet ? `${subject} sets \`${agreement.here}\`, but ${there} has no \`${agreement.there}\`` : `${there} requires \`${agreement.there}\`, but ${subject} sets no \`${agreement.here}\``,
            "the two ends of this link disagree",
            mineSet ? `set \`${agreement.there}\` on ${there} too, or remove \`${agreement.here}\` here` : `set \`${agreement.here}\` on ${subject}; the receiver closes connections without it`,
          );
        }
        break;
      }
      case "allowed-by":
        if (mine.kind === "value" && mine.value === agreement.when && theirs.kind === "value" && theirs.value !== true) {
          report(
            `${subject} sends with \`${agreement.here} = ${shown(agreement.when)}\`, which ${there} refuses (\`${agreement.there} = ${shown(theirs.value)}\`)`,
            "the receiver does not accept this",
            `set \`${agreement.there} = true\` on ${there}, or change \`${agreement.here}\` here`,
          );
        }
        break;
    }
  }
}

/** Reports each cycle of tiers once, at the link that closes it. */
function reportCycles(found: readonly FoundLink[], diagnostics: DiagnosticBag): void {
  const outgoing = new Map<string, FoundLink[]>();
  for (const item of found) outgoing.set(item.link.fromTier, [...(outgoing.get(item.link.fromTier) ?? []), item]);
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (tier: string): void => {
    path.push(tier);
    onPath.add(tier);
    for (const item of outgoing.get(tier) ?? []) {
      const next = item.link.toTier;
      if (onPath.has(next)) {
        const cycle = [...path.slice(path.indexOf(next)), next];
        diagnostics.report("FLOW5007", item.tier.file.source, item.span, `tiers forward in a cycle: ${cycle.map((name) => `\`${name}\``).join(" → ")}`, {
          label: "this link closes the cycle",
          help: "events would circulate between the agents for ever; a tier sends only to tiers further along",
        });
      } else if (!done.has(next)) {
        visit(next);
      }
    }
    path.pop();
    onPath.delete(tier);
    done.add(tier);
  };
  for (const tier of outgoing.keys()) if (!done.has(tier)) visit(tier);
}

/** In a build with links, a receiving source no tier sends to is probably a forgotten or misnamed link. */
function reportUnreached(tiers: readonly CheckedTier[], found: readonly FoundLink[], diagnostics: DiagnosticBag): void {
  if (found.length === 0) return;
  const receiverKinds = new Set(COMPONENT_SPECS.flatMap((spec) => Object.values(spec.properties).flatMap((property) => (property.type.kind === "link" ? [property.type.to] : []))));
  const reached = new Set(found.map((item) => item.target));
  for (const tier of tiers) {
    for (const component of tier.components) {
      if (component.decl.role !== "source" || !receiverKinds.has(component.spec.kind) || reached.has(component)) continue;
      diagnostics.report("FLOW5008", tier.file.source, component.decl.name.span, `no tier of this build sends to \`${tier.decl.name.text}.${component.decl.name.text}\``, {
        label: "reached by nobody in this build",
        help: `link to it with \`to = ${tier.decl.name.text}.${component.decl.name.text}\` on a sink of another tier; if only other tools (Fluent Bit, Fluentd, Docker) send to it, this warning can be ignored`,
      });
    }
  }
}

/** The span of a link property's value, or the component's name when the property came from a definition. */
function propertySpan(component: CheckedComponent, key: string): Span {
  return component.decl.properties.find((property) => property.name.text === key)?.value.span ?? component.decl.name.span;
}
