#!/usr/bin/python3
# Generates kdive's synthetic crash-report set (tests/data/crash-reports/synth): console
# logs of the report classes issue 11 named (soft lockup, paging fault, double fault,
# UBSAN, scheduling while atomic, non-static key, rwlock/spinlock bugs, __this_cpu_* in
# preemptible code, WARNING, kernel panic), composed from the kernel's printk formats
# with random bodies: x86-64 or arm64 registers before or after the stack, `[<addr>]`,
# symbolized and `[inline]` frames, `?` frames, <IRQ>/<TASK> sections, cut traces,
# with or without timestamps and caller ids, trailing panics. Function names are
# 6.1 kernel text symbols. The expected headers come from syzkaller's own parser (see
# README.md); this script writes only the logs.
#   generate_synth.py OUTDIR SEED COUNT   (the committed set: OUTDIR 2026 132)
import os, random, sys
out, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
R = random.Random(seed)
pool = [
    'selinux_xfrm_state_alloc',
    '__ping_queue_rcv_skb',
    'compat_ksys_old_shmctl',
    '__bpf_trace_xen_mmu__set_pte',
    '__traceiter_hyperv_nested_flush_guest_mapping',
    'memory_low_write',
    '__do_sys_process_mrelease',
    '__traceiter_io_page_fault',
    '__get_hash_from_flowi6',
    'irq_create_affinity_masks',
    '__ia32_sys_olduname',
    'regsafe',
    'con_unify_unimap',
    '__bpf_trace_xen_cpu_write_gdt_entry',
    'native_machine_emergency_restart',
    '__x64_sys_timerfd_settime32',
    '__packet_rcv_try_clear_pressure',
    '__bpf_trace_cpu',
    '__bpf_trace_irq_handler_exit',
    '__ia32_sys_symlink',
    'acpi_ut_dword_byte_swap',
    '__clocksource_update_freq_scale',
    '__do_sys_remap_file_pages',
    '__bpf_trace_x86_fpu',
    'count_mod_symbols',
    '__mnt_drop_write',
    'inet6_ioctl',
    '__bpf_trace_kcompactd_wake_template',
    '__pick_last_entity',
    '__absent_pages_in_range',
    '__release_region',
    'acpi_ut_get_resource_length',
    '__request_module',
    'cond_bools_index',
    '__ia32_sys_clock_gettime',
    '__bpf_trace_sched_overutilized_tp',
    '__bpf_trace_io_uring_cqring_wait',
    'inet6_rtm_getroute',
    'backing_inode_security',
    '__erst_read',
    'path_setxattr',
    'arch_set_user_pkey_access',
    '__mmu_notifier_change_pte',
    'arch_release_task_struct',
    'reenter_kprobe',
    '__acpi_power_off',
    '__ethtool_get_ts_info',
    '__x64_sys_keyctl',
    'acpi_tb_parse_root_table',
    'acpi_tb_release_temp_table',
    'intel_router_probe',
    '__ia32_sys_sigpending',
    '__refrigerator',
    '__ia32_sys_process_vm_readv',
    '__blk_mq_free_map_and_rqs',
    'copy_to_user_nofault',
    'kthread_destroy_worker',
    'quirk_disable_amd_8111_boot_interrupt',
    '__x64_sys_sync',
    '__cgroup_bpf_run_filter_sysctl',
    'get_instantiation_keyring',
    '__bpf_trace_arm_event',
    'dquot_quota_off',
    'acpi_ns_delete_children',
    '__bpf_trace_filelock_lock',
    'cpuidle_poll_state_init',
    'raw6_proc_exit',
    '__mmdrop',
    '__fwnode_link_del',
    'disable_acpi_watchdog',
    'acpi_ut_delete_address_lists',
    'arch_reserve_mem_area',
    '__netlink_kernel_create',
    '__ia32_compat_sys_timer_create',
    'cpuidle_add_interface',
    'apei_get_debugfs_dir',
    'inet6_fill_ifinfo',
    '__bpf_trace_jbd2_update_log_tail',
    '__do_sys_membarrier',
    '__traceiter_icmp_send',
    'acpi_parse_lapic',
    'acpi_ut_get_interface',
    'reboot_setup',
    '__x64_sys_lgetxattr',
    '__mptcp_update_rmem',
    '__hw_addr_sync',
    '__x64_sys_swapoff',
    'inet6_netconf_get_devconf',
    '__bpf_trace_iommu_group_event',
    'ktime_get_boot_fast_ns',
    '__bpf_core_types_match',
    '__do_compat_sys_mq_getsetattr',
    '__futex_unqueue',
    '__rcu_irq_enter_check_tick',
    'acpi_os_write_pci_configuration',
    '__bpf_trace_rtc_alarm_irq_enable',
    'arp_xmit',
    '__ext4_xattr_set_credits',
    '__bpf_lru_list_rotate_active',
    '__pci_read_vpd',
    'ext4_orphan_get',
    '__bpf_trace_page_pool_update_nid',
    'copy_to_kernel_nofault',
    '__ext4_warning',
    '__mem_cgroup_uncharge',
    '__audit_log_nfcfg',
    '__bpf_trace_kfree',
    'delayed_free_pidns',
    'acpi_os_signal',
    'cp_compat_stat',
    'exit_tasks_rcu_start',
    'relay_file_splice_read',
    'atom_get_val',
    'blk_add_trace_rq_requeue',
    '__x64_sys_statfs64',
    '__register_chrdev',
    '_parse_integer_fixup_radix',
    'fcntl_getlease',
    '__put_user_2',
    '__mutex_add_waiter',
    'dl_add_task_root_domain',
    '__ia32_sys_timer_create',
    '__ia32_sys_getegid16',
    'proc_create_seq_private',
    'pt_update_head',
    'register_oom_notifier',
    'check_preempt_curr_dl',
    '__copy_overflow',
    'ext4_free_data',
    '__perf_read_group_add',
    'register_kprobe',
    'read_verify_store',
    'ext4_fname_from_fscrypt_name',
    'ns_revision_release',
    'fbcon_prepare_logo',
    '__bpf_trace_devlink_hwmsg',
    'check_map_access_type',
    'acpi_pm_good_setup',
    'mod_objcg_state',
    'register_tcf_proto_ops',
    'mc146818_does_rtc_work',
    'bpf_lsm_fs_context_dup',
    'i8042_kbd_write',
    'acpi_os_signal_semaphore',
    'ext4_find_dest_de',
    'ns_capable_noaudit',
    'bpf_probe_register',
    'proc_sys_revalidate',
    'netlink_add_tap',
    'null_setkey',
    '__bpf_prog_exit_recur',
    '__jbd2_update_log_tail',
    '__sys_setregid',
    'bio_alloc_clone',
    '__netdev_printk',
    '__bpf_trace_pseudo_lock_l3',
    'ntp_clear',
    '__get_current_cr3_fast',
    'pkcs7_sig_note_pkey_algo',
    'ext4_fallocate',
    '__blk_mq_alloc_requests',
    'aa_path_name',
    'register_acpi_hed_notifier',
    'ip6_addr_string_sa',
    'fbcon_switch',
    '__bpf_trace_ext4_fc_stats',
    'acpi_pnp_attach',
    '__delayed_free_task',
    'perf_trace_hyperv_send_ipi_one',
    'ktime_get_real',
    'arch_cpu_idle_dead',
    'fbcon_set_def_font',
    'check_one_child',
    'free_verifier_state',
    'ext4_put_io_end_defer',
    'ext4_file_open',
    'ext4_fc_replay_check_excluded',
    'crypto_acomp_init_tfm',
    'kthread_use_mm',
    '__bpf_trace_pseudo_lock_l2',
    'pci_setup_cardbus',
    'cipso_v4_cache_entry_free',
    'knc_pmu_enable_event',
    'acpi_pci_irq_lookup',
    '__ia32_sys_fchown16',
    'i8042_create_aux_port',
    'pcibios_assign_all_busses',
    'mntns_put',
    '__ia32_sys_add_key',
    'pkcs7_extract_cert',
    'pci_read_config',
    '__blk_mq_get_tag',
    'ext4_fc_track_inode',
    '__bad_area',
    'bpf_fd_sk_storage_lookup_elem',
    'putreg32',
    '__nf_unregister_net_hook',
    'ext4_exit_pending',
    'nr_free_zone_pages',
    'ioasid_find',
    'jbd2_journal_try_to_free_buffers',
    'parent_len',
    'pci_moxa_setup',
    'kthread_associate_blkcg',
    'ext4_ext_clear_bb',
    'ip4_frag_free',
    '__pv_queued_spin_unlock_slowpath',
    'cap_convert_nscap',
    'check_syslog_permissions',
    'bpf_fd_inode_storage_lookup_elem',
    'init_freq_invariance_cppc',
    'netlink_getname',
    'dio_send_cur_page',
    'mark_wakeup_next_waiter',
    'ext4_es_scan_range',
    '__reset_isolation_suitable',
    'check_ptr_alignment',
    '___pmd_free_tlb',
    '__blkdev_issue_write_zeroes',
    'sem_exit_ns',
    'rcu_sync_dtor',
    '__aa_label_next_not_in_set',
    'fbcon_rotate_cw',
    'mmio_read',
    'register_ftrace_command',
    'reclaim_high',
    '__netpoll_free',
    'bio_integrity_process',
    'quirk_no_bus_reset',
    'available_idle_cpu',
    '__bpf_trace_mm_lru_insertion',
    'check_new_pages',
    '__bpf_trace_tasklet',
    'reg_type_mismatch',
    '__bpf_prog_enter_sleepable',
    'padata_sysfs_store',
    '__ia32_sys_flistxattr',
    'bind_evtchn_to_irqhandler',
    'create_var',
    'bio_attempt_front_merge',
]
def hx(k=16): return ''.join(R.choice('0123456789abcdef') for _ in range(k))
def kaddr(): return 'ffffffff8' + hx(7)
def fr(name): return f'{name}+0x{R.randrange(1, 0x400):x}/0x{R.randrange(0x400, 0x1000):x}'
def comm(): return R.choice(['syz-executor.0', 'syz-executor', 'kworker/0:1', 'swapper/0', 'syz.1.23', 'udevd'])
def pid(): return str(R.randrange(1, 30000))
def rframes(k): return [R.choice(pool) for _ in range(k)]
CLASSES = {

 'warning': (lambda: [f'------------[ cut here ]------------', R.choice([f'WARNING: CPU: {R.randrange(4)} PID: {pid()} at {R.choice(["net/core/dev.c", "mm/slab_common.c", "fs/inode.c"])}:{R.randrange(10,3000)} {fr(R.choice(pool))}', f'WARNING: {R.choice(["net/core/dev.c", "mm/util.c"])}:{R.randrange(10,3000)} {fr(R.choice(pool))}', f'WARNING: CPU: {R.randrange(4)} PID: {pid()} at {R.choice(["kernel/locking/lockdep.c", "lib/refcount.c"])}:{R.randrange(10,3000)} {R.choice(pool)}+0x12/0x34 [{R.choice(["kvm", "binder_linux"])}]'])],
             ['dump_stack_lvl', '__warn', 'report_bug', 'handle_bug', 'exc_invalid_op', 'asm_exc_invalid_op']),
 'kpanic': (lambda: R.choice([[f'Kernel panic - not syncing: {R.choice(["Attempted to kill init! exitcode=0x00000009", "panic_on_warn set ...", "VFS: Unable to mount root fs on unknown-block(0,0)", "stack-protector: Kernel stack is corrupted in: " + fr(R.choice(pool)), "Fatal exception in interrupt", "corrupted stack end detected inside scheduler", "Out of memory and no killable processes..."])}'],
                              [f'kernel panic: {R.choice(["Attempted to kill init!", "panic_on_warn set"])}']]),
            ['dump_stack_lvl', 'panic', 'do_exit', 'do_group_exit']),
 'softlockup': (lambda: [f'watchdog: BUG: soft lockup - CPU#{R.randrange(4)} stuck for {R.randrange(20,200)}s! [{comm()}:{pid()}]'],
                ['watchdog_timer_fn', '__hrtimer_run_queues', 'hrtimer_interrupt', '__sysvec_apic_timer_interrupt', 'sysvec_apic_timer_interrupt', 'asm_sysvec_apic_timer_interrupt']),
 'paging': (lambda: R.choice([[f'BUG: unable to handle page fault for address: {hx()}', '#PF: supervisor read access in kernel mode', '#PF: error_code(0x0000) - not-present page'],
                               [f'BUG: unable to handle kernel paging request at {hx()}', f'IP: {fr(R.choice(pool))}'],
                               [f'Unable to handle kernel paging request at virtual address {hx()}', 'Mem abort info:', '  ESR = 0x96000005'],
                               [f'BUG: unable to handle kernel NULL pointer dereference at 0000000000000010', f'IP: {fr(R.choice(pool))}'],
                               ['BUG: kernel NULL pointer dereference, address: 0000000000000008', '#PF: supervisor read access in kernel mode']]),
           ['page_fault_oops', 'kernelmode_fixup_or_oops', '__bad_area_nosemaphore', 'do_user_addr_fault', 'exc_page_fault', 'asm_exc_page_fault']),
 'doublefault': (lambda: [f'PANIC: double fault, error_code: 0x0'], ['df_debug', 'exc_double_fault', 'asm_exc_double_fault']),
 'ubsan': (lambda: R.choice([[f'UBSAN: array-index-out-of-bounds in {R.choice(["net/core/dev.c", "fs/ext4/super.c", "drivers/usb/core/hub.c"])}:{R.randrange(10,3000)}:{R.randrange(1,60)}', f'index {R.randrange(9)} is out of range for type \'int [4]\''],
                            [f'UBSAN: shift-out-of-bounds in mm/page_alloc.c:{R.randrange(10,3000)}:{R.randrange(1,60)}', 'shift exponent 64 is too large for 64-bit type \'long unsigned int\''],
                            [f'UBSAN: Undefined behaviour in lib/string.c:{R.randrange(10,300)}:{R.randrange(1,60)}', 'signed integer overflow:'],
                            [f'UBSAN: signed-integer-overflow in kernel/time/time.c:{R.randrange(10,300)}:{R.randrange(1,60)}', '9223372036854775807 + 1 cannot be represented in type \'long long int\'']]),
           ['dump_stack_lvl', 'ubsan_epilogue', '__ubsan_handle_out_of_bounds', '__ubsan_handle_shift_out_of_bounds']),
 'atomic': (lambda: [f'BUG: scheduling while atomic: {comm()}/{pid()}/0x{R.randrange(1,0x200):08x}'], ['dump_stack_lvl', '__schedule_bug', '__schedule', 'schedule', 'schedule_timeout']),
 'nonstatic': (lambda: ['INFO: trying to register non-static key.', 'The code is fine but needs lockdep annotation, or maybe', "you didn't initialize this object before use?", 'turning off the locking correctness validator.'],
               ['dump_stack_lvl', 'assign_lock_key', 'register_lock_class', '__lock_acquire', 'lock_acquire', '_raw_spin_lock_irqsave']),
 'rwlock': (lambda: [f'BUG: rwlock {R.choice(["bad magic", "recursion", "wrong owner", "lockup suspected"])} on CPU#{R.randrange(4)}, {comm()}/{pid()}, {hx()}'], ['dump_stack_lvl', 'rwlock_bug', 'do_raw_read_lock', '_raw_read_lock']),
 'spinlock': (lambda: [f'BUG: spinlock {R.choice(["recursion", "bad magic", "wrong CPU", "already unlocked", "cpu recursion"])} on CPU#{R.randrange(4)}, {comm()}/{pid()}', f' lock: {R.choice(pool)}+0x{R.randrange(16,4096):x}/0x{R.randrange(4096,9000):x}, .magic: dead4ead, .owner: {comm()}/{pid()}, .owner_cpu: 0'],
              ['dump_stack_lvl', 'spin_dump', 'spin_bug', 'do_raw_spin_lock', '_raw_spin_lock', '_raw_spin_lock_irqsave']),
 'thiscpu': (lambda: [f'BUG: using {R.choice(["__this_cpu_read", "__this_cpu_add", "smp_processor_id", "__this_cpu_write"])}() in preemptible [00000000] code: {comm()}/{pid()}', f'caller is {fr(R.choice(pool))}'],
             ['dump_stack_lvl', 'check_preemption_disabled', '__this_cpu_preempt_check', 'debug_smp_processor_id']),
}
def prefix_fn():
    kind = R.choice(['none', 'ts', 'tsT', 'tsC'])
    t = [R.uniform(1, 9000)]
    tid = pid()
    def p(line):
        t[0] += R.uniform(0, 0.01)
        if kind == 'none': return line
        if kind == 'ts': return f'[{t[0]:12.6f}] {line}'
        if kind == 'tsT': return f'[{t[0]:12.6f}][ T{tid:>5}] {line}'
        return f'[{t[0]:12.6f}][    C{R.randrange(4)}] {line}'
    return p
def frame_line(name, style, arm):
    if arm: return f'  {fr(name)}'
    q = '? ' if R.random() < 0.08 else ''
    if style == 0: return f' {q}{fr(name)}'
    if style == 1: return f' [<{kaddr()}>] {q}{fr(name)}'
    if style == 2: return f' {q}{fr(name)} {R.choice(["mm/slub.c", "kernel/sched/core.c", "net/core/sock.c"])}:{R.randrange(10,5000)}'
    return f' {name} {R.choice(["include/linux/list.h", "lib/string.c"])}:{R.randrange(10,500)} [inline]' if R.random() < 0.3 else f' {q}{fr(name)} fs/namei.c:{R.randrange(10,5000)}'
def make(cls):
    head, internals = CLASSES[cls]
    P = prefix_fn()
    arm = R.random() < 0.25
    lines = []
    for _ in range(R.randrange(0, 4)):
        lines.append(R.choice(['syz-executor.0: vmalloc error', f'audit: type=1400 audit({R.randrange(10**9)}.123:4): avc:  denied  {{ read }}', 'random: crng init done', f'device lo entered promiscuous mode']))
    lines += head()
    if R.random() < 0.5: lines.append('Modules linked in:' + R.choice(['', ' binder_linux', ' kvm_intel kvm']))
    if R.random() < 0.3:
        lines += [f'irq event stamp: {R.randrange(100000)}', f'hardirqs last  enabled at ({R.randrange(10000)}): [<{kaddr()}>] {fr(R.choice(pool))}',
                  f'hardirqs last disabled at ({R.randrange(10000)}): [<{kaddr()}>] {fr(R.choice(pool))}', f'softirqs last  enabled at ({R.randrange(10000)}): [<{kaddr()}>] {fr(R.choice(pool))}']
    if R.random() < 0.8: lines.append(f'CPU: {R.randrange(4)} {"UID: 0 " if R.random()<0.3 else ""}PID: {pid()} Comm: {comm()} {R.choice(["Not tainted", "Tainted: G        W"])} 6.{R.randrange(1,13)}.0-syzkaller #0')
    if R.random() < 0.7: lines.append('Hardware name: Google Google Compute Engine/Google Compute Engine, BIOS Google 02/02/2024')
    top = rframes(R.randrange(1, 5))
    regs_first = R.random() < 0.5
    def regs():
        if R.random() < 0.3: return []
        if arm: return [f'pstate: 80400005 (Nzcv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)', f'pc : {fr(R.choice(internals + top))}', f'lr : {fr(R.choice(top))}', f'sp : ffff8000{hx(8)}', f'x29: ffff8000{hx(8)} x28: 0000000000000000']
        rip = R.choice(internals[-1:] + top)
        v = R.random()
        r = [f'RIP: 0010:{fr(rip)}' if v < 0.6 else (f'RIP: 0010:[<{kaddr()}>]  [<{kaddr()}>] {fr(rip)}' if v < 0.8 else f'RIP: {fr(rip)}')]
        if R.random() < 0.6: r.append('Code: 48 89 df e8 ' + ' '.join(hx(2) for _ in range(20)) + ' <0f> 0b ' + ' '.join(hx(2) for _ in range(8)))
        r += [f'RSP: 0018:ffffc900{hx(8)} EFLAGS: 00010246', f'RAX: {hx()} RBX: {hx()} RCX: {hx()}']
        return r
    if regs_first: lines += regs()
    st = R.randrange(4)
    lines.append('Call trace:' if arm else R.choice(['Call Trace:', 'Call Trace:', ' Call Trace:']))
    frames = []
    k = R.randrange(0, len(internals) + 1)
    frames += internals[:k] if R.random() < 0.7 else internals[k:]
    irq = (not arm) and R.random() < 0.3
    body = []
    if irq: body.append(' <IRQ>')
    for f in frames + top: body.append(frame_line(f, st, arm))
    if irq: body.append(' </IRQ>')
    if not arm and R.random() < 0.3: body.insert(0, ' <TASK>')
    for f in rframes(R.randrange(0, 6)) + R.choice([['do_syscall_64', 'entry_SYSCALL_64_after_hwframe'], ['worker_thread', 'kthread', 'ret_from_fork'], []]):
        body.append(frame_line(f, st, arm))
    if R.random() < 0.1 and len(body) > 3: body = body[:R.randrange(1, len(body))]
    lines += body
    if not regs_first: lines += regs()
    if R.random() < 0.3: lines.append(R.choice(['---[ end trace 0000000000000000 ]---', 'Kernel panic - not syncing: softlockup: hung tasks', f'Kernel panic - not syncing: Fatal exception', 'Rebooting in 86400 seconds..']))
    return '\n'.join(P(l) for l in lines) + '\n'
classes = sorted(CLASSES)
for i in range(n):
    c = classes[i % len(classes)]
    open(os.path.join(out, f'{c}-{i}'), 'w').write(make(c))
