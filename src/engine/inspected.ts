/** The parts of `podman container inspect`'s JSON that berth reads. */

/** podman 4.0 … 5.x; older ones write some fields differently (import/inspect.ts). */
export interface InspectedContainer {
  readonly Id: string;
  readonly Name: string;
  readonly ImageName?: string;
  readonly Image?: string;
  readonly Rootfs?: string;
  readonly Pod?: string;
  readonly Path?: string;
  readonly State?: Readonly<Record<string, unknown>>;
  readonly Args?: readonly string[] | null;
  readonly Config: Readonly<Record<string, unknown>>;
  readonly HostConfig: Readonly<Record<string, unknown>>;
  readonly Mounts?: readonly InspectedMount[] | null;
  readonly NetworkSettings?: { readonly Networks?: Readonly<Record<string, { readonly Aliases?: readonly string[] | null }>> | null };
}

export interface InspectedMount {
  readonly Type: string;
  readonly Name?: string;
  readonly Source?: string;
  readonly Destination: string;
  readonly Mode?: string;
  readonly RW?: boolean;
  readonly Propagation?: string;
  readonly Options?: readonly string[] | null;
}

