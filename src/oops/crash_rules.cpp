// The crash report rules as data (see crash_rules.h). The content — headers, title
// formats, skipped frames — follows syzkaller's pkg/report/linux.go so that titles
// deduplicate the same way syzbot's do; the representation and engine are kdive's.
// Patterns are ECMAScript; {{PC}}, {{FUNC}}, {{SRC}}, {{TASK}}, {{ADDR}} are expanded.
#include "oops/crash_rules.h"

#include <string_view>
#include <utility>

namespace kdive {
namespace {

using P = std::shared_ptr<const LinePattern>;

std::string expand(std::string p) {
  static const std::pair<std::string_view, std::string_view> kMacros[] = {
      {"{{ADDR}}", "0x[0-9a-f]+"},
      {"{{PC}}", R"(\[<?(?:0x)?[0-9a-f]+>?\])"},
      {"{{FUNC}}", R"(([a-zA-Z0-9_]+)(?:\.|\+))"},
      {"{{SRC}}", R"(([a-zA-Z0-9_/.-]+\.[a-z]+:[0-9]+))"},
      {"{{TASK}}", R"([\s\S]{0,100}?)"},
  };
  for (const auto& [name, value] : kMacros) {
    for (size_t pos = p.find(name); pos != std::string::npos; pos = p.find(name, pos)) {
      p.replace(pos, name.size(), value);
      pos += value.size();
    }
  }
  return p;
}

P re(std::string p, bool icase = false) {
  return std::make_shared<const LinePattern>(expand(std::move(p)), icase);
}
// A pattern whose every match contains one of `needles` (a cheap prefilter).
P re_with(std::string p, std::vector<std::string> needles) {
  return std::make_shared<const LinePattern>(expand(std::move(p)), false, std::move(needles));
}

// A title or report pattern: the first string matches in one line, each further one
// in a later line.
PatternSeq seq(std::initializer_list<std::string> steps) {
  PatternSeq s;
  for (const auto& step : steps) s.push_back(PatternStep{re(step), false});
  return s;
}

PatternStep whole_next_line() { return PatternStep{nullptr, true}; }

const std::vector<std::string>& global_skips() {
  static const std::vector<std::string> kSkips = {
      "__sanitizer", "__asan", "kasan", "hwasan", "__msan", "kmsan", "kcsan_setup_watchpoint",
      "check_memory_region", "check_heap_object", "check_object", "read_word_at_a_time",
      "(read|write)_once_.*nocheck", "print_address_description", "panic", "invalid_op",
      "report_bug", "fixup_bug", "print_report", "print_usage_bug", "do_error", "_trap$|do_trap",
      "show_stack", "dump_stack", "walk_stack", "dump_backtrace", "warn_slowpath", "warn_alloc",
      "warn_bogus", "__warn", "alloc_page", "k?v?(?:m|z|c)alloc", "krealloc", "kmem_cache",
      "allocate_slab", "__alloc_frozen_pages_noprof", "folio_(?:alloc|unlock)",
      "filemap_alloc_folio", "__filemap_get_folio", "find_or_create_page", "do_read_cache_folio",
      "read_cache_page", "pagecache_get_page", "grab_cache_page_write_begin", "slab_",
      "debug_object", "timer_is_static_object", "work_is_static_object", "__might_fault",
      "print_unlock", "imbalance_bug", "lockdep", "bh_enable", "bh_disable", "perf_trace",
      "lock_acquire", "lock_release", "lock_class", "mark_lock", "(reacquire|mark)_held_locks",
      "raw_spin_rq", "spin_lock", "spin_trylock", "spin_unlock", "read_lock", "read_trylock",
      "write_lock", "write_trylock", "read_unlock", "write_unlock", "^down$", "down_read",
      "down_write", "down_read_trylock", "down_write_trylock", "down_trylock", "up_read",
      "up_write", "^mutex_", "^__mutex_", "^rt_mutex_", "owner_on_cpu", "osq_lock", "osq_unlock",
      "atomic(64)?_(dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)",
      "(set|clear|change|test)_bit", "__wake_up", "^refcount_", "^kref_", "ref_tracker",
      "seqprop_assert", "memcpy", "memcmp", "memset", "memchr", "memmove", "memdup", "strcmp",
      "strncmp", "strcpy", "strlcpy", "strncpy", "strscpy", "strlen", "strstr", "strnstr",
      "strnlen", "strchr", "strdup", "strndup", "copy_to_user", "copy_from_user", "copy_to_iter",
      "copy_from_iter", "copy_page_to_iter", "copy_page_from_iter", "copy_folio_to_iter",
      "^copyin$", "^copyout$", "put_user", "get_user", "might_fault", "might_sleep", "list_add",
      "list_del", "list_replace", "list_move", "list_splice", "^rb_", "^__rb_",
      "_indirect_thunk_", "string", "pointer", "snprintf", "scnprintf", "kasprintf",
      "kvasprintf", "printk", "va_format", "dev_info", "dev_notice", "dev_warn", "dev_err",
      "dev_alert", "dev_crit", "dev_emerg", "program_check_exception", "program_check_common",
      "del_timer", "flush_work", "__cancel_work_timer", "cancel_work_sync",
      "try_to_grab_pending", "flush_workqueue", "drain_workqueue", "destroy_workqueue",
      "queue_work", "finish_wait", "kthread_stop", "kobject_", "add_uevent_var",
      "get_device_parent", "device_add", "device_del", "device_unregister", "device_destroy",
      "device_release", "devres_release_all", "hwrng_unregister", "i2c_del_adapter",
      "__unregister_client", "device_for_each_child", "rollback_registered",
      "unregister_netdev", "sysfs_remove", "device_remove_file", "tty_unregister_device",
      "dummy_urb_enqueue", "usb_kill_urb", "usb_kill_anchored_urbs", "usb_control_msg",
      "usb_hcd_submit_urb", "usb_submit_urb", "^complete$", "wait_for_completion",
      "^kv?free$", "kfree_skb", "readb$", "readw$", "readl$", "readq$", "writeb$", "writew$",
      "writel$", "writeq$", "logic_in", "logic_out", "^crc\\d+", "crc_itu_t",
      "__might_resched", "assertfail", "^iput$", "^iput_final$", "^ihold$",
      "hex_dump_to_buffer", "print_hex_dump", "^klist_", "(trace|lockdep)_(hard|soft)irq",
      "^(un)?lock_page", "stack_trace_consume_entry", "arch_stack_walk", "stack_trace_save",
      "insert_work", "__queue_delayed_work", "queue_delayed_work_on", "ida_free",
      "do_(kernel|translation)_fault", "do_mem_abort", "el1_abort", "el1h_64_sync(?:_handler)?",
      "print_tainted", "xas_(?:start|load|find)", "find_lock_entries",
      "truncate_inode_pages_range", "__phys_addr", "__fortify_report", "cleanup_srcu_struct",
      "rhashtable_lookup", "extract_(user|iter)_to_sg", "drop_nlink", "^get_taint$",
      "^put_device$", "lock_timer_base", "__timer_delete_sync", "sk_stop_timer_sync",
      "__mod_timer", "fast_dput", "dput", "mark_buffer_dirty",
  };
  return kSkips;
}

P skip_pattern(std::initializer_list<std::string> own) {
  std::string joined;
  for (const auto& s : global_skips()) joined += (joined.empty() ? "" : "|") + s;
  for (const auto& s : own) joined += "|" + s;
  return re(joined);
}

}  // namespace

const LinePattern& generic_frame_pattern() {
  static const P p = skip_pattern({});
  return *p;
}

namespace {

const char* kRipFrame =
    R"((?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\[< *\(null\)>\] +\(null\)|[0-9]+: +\(null\)))";
const char* kCallTrace = R"((?:Call (?:T|t)race:)|(?:Backtrace:))";

P rip_frame() {
  static const P p = re_with(kRipFrame, {"IP", "pc ", "PC is at"});
  return p;
}
P call_trace() {
  static const P p = re_with(kCallTrace, {"all ", "Backtrace:"});
  return p;
}
const P kParse = nullptr;  // "parse a stack trace here"

std::shared_ptr<const StackSpec> stack(std::vector<P> parts, std::initializer_list<std::string> skip = {},
                                       FrameChoice choice = FrameChoice::First,
                                       std::vector<P> parts2 = {}) {
  auto s = std::make_shared<StackSpec>();
  s->parts = std::move(parts);
  s->parts2 = std::move(parts2);
  s->skip = skip_pattern(skip);
  s->choice = choice;
  return s;
}

// Warnings trap through an invalid instruction in newer kernels, so the guilty frame is
// at RIP (or powerpc's "--- interrupt:"); older kernels just print "Call Trace:".
std::shared_ptr<const StackSpec> warning_stack(std::initializer_list<std::string> skip = {}) {
  return stack({re_with(std::string("(?:") + kRipFrame + "|--- interrupt: [0-9]+ at {{FUNC}})",
                        {"IP", "pc ", "PC is at", "--- interrupt: "}),
                kParse},
               skip, FrameChoice::First, {call_trace(), kParse});
}

// Frames of a format that takes the RIP frame, then the call trace.
std::shared_ptr<const StackSpec> rip_stack(std::initializer_list<std::string> skip = {},
                                           FrameChoice choice = FrameChoice::First) {
  return stack({rip_frame(), call_trace(), kParse}, skip, choice);
}
std::shared_ptr<const StackSpec> trace_stack(std::initializer_list<std::string> skip = {},
                                             FrameChoice choice = FrameChoice::First) {
  return stack({call_trace(), kParse}, skip, choice);
}

TitleFormat fmt(PatternSeq title, std::string f, std::shared_ptr<const StackSpec> st = nullptr) {
  TitleFormat t;
  t.title = std::move(title);
  t.fmt = std::move(f);
  t.stack = std::move(st);
  return t;
}
TitleFormat with_report(TitleFormat t, PatternSeq report) {
  t.report = std::move(report);
  return t;
}
TitleFormat no_stack(TitleFormat t) {
  t.no_stack_trace = true;
  return t;
}
TitleFormat corrupted(TitleFormat t) {
  t.corrupted = true;
  return t;
}

std::vector<OopsRule> build_rules() {
  std::vector<OopsRule> r;

  // --- BUG: -------------------------------------------------------------------------
  {
    OopsRule o{"BUG:", {}, {re("ODEBUG:"), re("Boot_DEBUG:"), re("xlog_status:"), re("DEBUG:"),
                            re("BUG: no syscalls can create resource")}};
    auto& f = o.formats;
    f.push_back(with_report(
        fmt(seq({"BUG: KASAN:"}), "KASAN: {1} {3} in {4}",
            stack({re("BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}"), call_trace(), kParse},
                  {"kernel_fault", "tag_check", "mem_abort", "^el1_", "^el1h_"})),
        seq({"BUG: KASAN: ([a-z\\-]+) in {{FUNC}}", "(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)"})));
    f.push_back(with_report(
        fmt(seq({"BUG: KASAN:"}), "KASAN: invalid-free in {2}",
            stack({re("BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}"),
                   call_trace(), kParse},
                  {"slab_", "kfree", "vunmap", "vfree"})),
        seq({"BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}"})));
    f.push_back(fmt(seq({"BUG: KASAN: ([a-z\\-]+) on address", "(Read|Write) of size ([0-9]+)"}),
                    "KASAN: {1} {2}"));
    f.push_back(corrupted(fmt(seq({"BUG: KASAN: (.*)"}), "KASAN: {1}")));
    f.push_back(no_stack(with_report(
        fmt(seq({"BUG: KMSAN: kernel-usb-infoleak"}), "KMSAN: kernel-usb-infoleak in {2}",
            stack({kParse, re("(Local variable .* created at:|Uninit was created at:)"), kParse},
                  {"alloc_skb", "usb_submit_urb", "usb_start_wait_urb", "usb_bulk_msg",
                   "usb_interrupt_msg", "usb_control_msg"})),
        seq({"BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}"}))));
    f.push_back(no_stack(with_report(
        fmt(seq({"BUG: KMSAN:"}), "KMSAN: {1} in {3}",
            stack({kParse, re("(Local variable .* created at:|Uninit was created at:)"), kParse},
                  {"alloc_skb", "netlink_ack", "netlink_rcv_skb", "_encrypt$",
                   "^(?:crypto|cipher|drbg|rng)_"})),
        seq({"BUG: KMSAN: ([a-z\\-]+) in {{FUNC}}"}))));
    f.push_back(no_stack(with_report(fmt(seq({"BUG: KCSAN: data-race"}), "KCSAN: {1}"),
                                     seq({"BUG: KCSAN: (.*)"}))));
    f.push_back(no_stack(with_report(fmt(seq({"BUG: KCSAN:"}), "KCSAN: {1}"), seq({"BUG: KCSAN: (.*)"}))));
    auto kfence_stack = [] {
      return stack({re("BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}"), kParse});
    };
    f.push_back(fmt(seq({"BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in {{FUNC}}"}),
                    "KFENCE: {1} {2} in {4}", kfence_stack()));
    f.push_back(no_stack(fmt(seq({"BUG: KFENCE: invalid free in {{FUNC}}"}),
                             "KFENCE: invalid free in {2}", kfence_stack())));
    f.push_back(fmt(seq({"BUG: KFENCE: invalid (read|write) in {{FUNC}}"}),
                    "KFENCE: invalid {1} in {3}", kfence_stack()));
    f.push_back(no_stack(fmt(seq({"BUG: KFENCE: memory corruption in {{FUNC}}"}),
                             "KFENCE: memory corruption in {2}", kfence_stack())));
    f.push_back(fmt(seq({"BUG: (?:unable to handle kernel paging request|unable to handle page fault "
                         "for address|Unable to handle kernel data access)"}),
                    "BUG: unable to handle kernel paging request in {1}", rip_stack()));
    f.push_back(fmt(seq({"BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer "
                         "dereference|Kernel NULL pointer dereference)"}),
                    "BUG: unable to handle kernel NULL pointer dereference in {1}", rip_stack()));
    // The second half of this header is a separate printk and may be lost.
    f.push_back(corrupted(fmt(seq({"BUG: (?:unable to handle kernel|Unable to handle kernel)"}),
                              "BUG: unable to handle kernel")));
    f.push_back(fmt(seq({"BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu "
                         "recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)"}),
                    "BUG: {1} {2} in {3}", trace_stack({"spin_", "_lock", "_unlock"})));
    f.push_back(fmt(seq({"BUG: soft lockup"}), "BUG: soft lockup in {1}",
                    rip_stack({}, FrameChoice::Stall)));
    f.push_back(with_report(fmt(seq({"BUG: .*still has locks held!"}), "BUG: still has locks held in {1}"),
                            seq({"BUG: .*still has locks held!", "{{PC}} +{{FUNC}}"})));
    f.push_back(fmt(seq({"BUG: scheduling while atomic"}), "BUG: scheduling while atomic in {1}",
                    trace_stack({"schedule"})));
    f.push_back(no_stack(with_report(
        fmt(seq({"BUG: lock held when returning to user space"}),
            "BUG: lock held when returning to user space in {1}"),
        seq({"BUG: lock held when returning to user space", "leaving the kernel with locks still held",
             "at: (?:{{PC}} +)?{{FUNC}}"}))));
    f.push_back(fmt(seq({"BUG: bad unlock balance detected!"}), "BUG: bad unlock balance in {1}",
                    stack({re("{{PC}} +{{FUNC}}"), call_trace(), kParse})));
    f.push_back(with_report(fmt(seq({"BUG: held lock freed!"}), "BUG: held lock freed in {1}"),
                            seq({"BUG: held lock freed!", "{{PC}} +{{FUNC}}"})));
    f.push_back(no_stack(fmt(seq({"BUG: Bad rss-counter state"}), "BUG: Bad rss-counter state")));
    f.push_back(no_stack(fmt(seq({"BUG: non-zero nr_ptes on freeing mm"}), "BUG: non-zero nr_ptes on freeing mm")));
    f.push_back(no_stack(fmt(seq({"BUG: non-zero nr_pmds on freeing mm"}), "BUG: non-zero nr_pmds on freeing mm")));
    f.push_back(with_report(fmt(seq({"BUG: Dentry .* still in use"}), "BUG: Dentry still in use in {1}"),
                            seq({"BUG: Dentry .* still in use \\([0-9]+\\) \\[(unmount) of ([^\\]]+)\\]"})));
    f.push_back(fmt(seq({"BUG: Bad page (state|cache)"}), "BUG: Bad page {1} in {2}",
                    stack({re("page last allocated"), kParse},
                          {"(free|put|get|update|release)_page", "free_unref", "^_*folio",
                           "truncate_inode_pages", "page_frag_free", "alloc", "vmap", "page_owner"})));
    f.push_back(fmt(seq({"BUG: Bad page map"}), "BUG: Bad page map"));
    f.push_back(no_stack(fmt(seq({"BUG: workqueue lockup"}), "BUG: workqueue lockup")));
    f.push_back(fmt(seq({"BUG: sleeping function called from invalid context at (.*)"}),
                    "BUG: sleeping function called from invalid context in {2}", trace_stack()));
    f.push_back(fmt(seq({"BUG: using ([a-z_]+)\\(\\) in preemptible"}),
                    "BUG: using {1}() in preemptible code in {2}",
                    trace_stack({"dump_stack", "preemption", "preempt", "debug_", "processor_id", "this_cpu"})));
    f.push_back(no_stack(with_report(
        fmt(seq({"BUG: workqueue leaked lock or atomic"}), "BUG: workqueue leaked lock or atomic in {1}"),
        seq({"BUG: workqueue leaked lock or atomic", "last function: ([a-zA-Z0-9_]+)$"}))));
    f.push_back(fmt(seq({"BUG: memory leak"}), "memory leak in {1}",
                    stack({re("backtrace(?: \\(crc [0-9a-fA-F]*\\))?:"), kParse},
                          {"kmemleak", "mmap", "kmem", "slab", "alloc", "create_object", "idr_get",
                           "list_lru_init", "kasprintf", "kvasprintf", "pcpu_create", "strdup",
                           "strndup", "memdup"})));
    f.push_back(fmt(seq({"BUG: .*stack guard page was hit at"}), "BUG: stack guard page was hit in {1}",
                    rip_stack({}, FrameChoice::Stall)));
    f.push_back(fmt(seq({"BUG: Invalid wait context"}), "WARNING: locking bug in {1}",
                    trace_stack({"lock_sock", "release_sock"})));
    f.push_back(corrupted(fmt(seq({"BUG:\\s*$"}), "BUG: corrupted")));
    r.push_back(std::move(o));
  }

  // --- WARNING: -----------------------------------------------------------------------
  {
    OopsRule o{"WARNING:", {},
               {re("WARNING: /etc/ssh/moduli does not exist, using fixed modulus"),
                re("WARNING: workqueue cpumask: online intersect > possible intersect"),
                re("WARNING: [Tt]he mand mount option"),
                re("WARNING: Unsupported flag value\\(s\\) of 0x%x in DT_FLAGS_1"),
                re("WARNING: Unprivileged eBPF is enabled with eIBRS"),
                re("WARNING: fbcon: Driver '(.*)' missed to adjust virtual screen size"),
                re("WARNING: See https.* for mitigation options."),
                re("WARNING: kernel not compiled with CPU_SRSO"),
                re("EXT4-[Ff][Ss](?: \\(.*\\))?:"),
                std::make_shared<const LinePattern>("warning: .* uses (deprecated v2 capabilities|wireless extensions)",
                                                    true, std::vector<std::string>{"v2 ", "V2 ", "xtensions", "XTENSIONS"}),
                re("XFS \\(\\w+\\): WARNING")}};
    auto& f = o.formats;
    f.push_back(fmt(seq({"WARNING: .*lib/debugobjects\\.c.* (?:debug_print|debug_check|at)"}),
                    "WARNING: ODEBUG bug in {1}",
                    warning_stack({"debug_", "rcu", "hrtimer_", "timer_", "work_", "percpu_", "vunmap",
                                   "vfree", "__free_", "debug_check", "kobject_"})));
    f.push_back(fmt(seq({"WARNING: .*mm/usercopy\\.c.* (?:usercopy_warn|at)"}), "WARNING: bad usercopy in {1}",
                    warning_stack({"usercopy", "__check"})));
    f.push_back(fmt(seq({"WARNING: .*lib/kobject\\.c.* (?:kobject_|at)"}), "WARNING: kobject bug in {1}",
                    warning_stack({"kobject_"})));
    f.push_back(fmt(seq({"WARNING: .*fs/proc/generic\\.c.* (?:proc_register|at)"}),
                    "WARNING: proc registration bug in {1}", warning_stack({"proc_"})));
    f.push_back(fmt(seq({"WARNING: .*lib/refcount\\.c.* (?:refcount_|at)"}), "WARNING: refcount bug in {1}",
                    warning_stack({"refcount", "kobject_"})));
    f.push_back(fmt(seq({"WARNING: .*kernel/locking/lockdep\\.c.*lock_"}), "WARNING: locking bug in {1}",
                    warning_stack({"lock_sock", "release_sock"})));
    f.push_back(with_report(fmt(seq({"WARNING: .*still has locks held!"}), "WARNING: still has locks held in {1}"),
                            seq({"WARNING: .*still has locks held!", "at: {{FUNC}}"})));
    f.push_back(fmt(seq({"WARNING: Nested lock was not taken"}), "WARNING: nested lock was not taken in {1}",
                    warning_stack()));
    f.push_back(no_stack(with_report(
        fmt(seq({"WARNING: lock held when returning to user space"}),
            "WARNING: lock held when returning to user space in {1}"),
        seq({"WARNING: lock held when returning to user space", "leaving the kernel with locks still held",
             "at: (?:{{PC}} +)?{{FUNC}}"}))));
    f.push_back(fmt(seq({"WARNING: .*mm/.*\\.c.* k?.?malloc"}), "WARNING: kmalloc bug in {1}",
                    warning_stack({"kmalloc", "krealloc", "slab", "kmem"})));
    f.push_back(fmt(seq({"WARNING: .*mm/vmalloc.c.*__vmalloc_node"}), "WARNING: zero-size vmalloc in {1}",
                    warning_stack()));
    f.push_back(fmt(seq({"WARNING: .* usb_submit_urb"}), "WARNING in {1}/usb_submit_urb",
                    warning_stack({"usb_submit_urb", "usb_start_wait_urb", "usb_bulk_msg", "usb_interrupt_msg",
                                   "usb_control_msg"})));
    f.push_back(fmt(seq({"WARNING: {{SRC}} at 0x\\d+, CPU#\\d+"}), "WARNING in {2}", warning_stack()));
    f.push_back(fmt(seq({"WARNING: .* at {{SRC}} {{FUNC}}"}), "WARNING in {3}", warning_stack()));
    f.push_back(fmt(seq({"WARNING: {{SRC}} at {{FUNC}}"}), "WARNING in {3}", warning_stack()));
    f.push_back(fmt(seq({"WARNING: \\[.*\\] {{SRC}} at {{FUNC}}.*"}), "WARNING in {3}", warning_stack()));
    {
      auto st = std::make_shared<StackSpec>();
      st->parts = {re("at: (?:{{PC}} +)?{{FUNC}}"), re("at: (?:{{PC}} +)?{{FUNC}}"), kParse};
      st->skip = skip_pattern({"process_one_work", "flush_workqueue", "drain_workqueue", "destroy_workqueue"});
      f.push_back(with_report(fmt(seq({"WARNING: possible circular locking dependency detected"}),
                                  "possible deadlock in {1}", st),
                              seq({"WARNING: possible circular locking dependency detected",
                                   "is trying to acquire lock"})));
    }
    f.push_back(with_report(fmt(seq({"WARNING: possible irq lock inversion dependency detected"}),
                                "possible deadlock in {1}"),
                            seq({"WARNING: possible irq lock inversion dependency detected",
                                 "just changed the state of lock", "at: (?:{{PC}} +)?{{FUNC}}"})));
    f.push_back(fmt(seq({"WARNING: .*-safe -> .*-unsafe lock order detected"}), "possible deadlock in {1}",
                    stack({re("which became (?:.*) at:"), kParse})));
    f.push_back(with_report(fmt(seq({"WARNING: possible recursive locking detected"}), "possible deadlock in {1}"),
                            seq({"WARNING: possible recursive locking detected", "is trying to acquire lock",
                                 "at: (?:{{PC}} +)?{{FUNC}}"})));
    f.push_back(with_report(fmt(seq({"WARNING: inconsistent lock state"}), "inconsistent lock state in {2}",
                                trace_stack()),
                            seq({"WARNING: inconsistent lock state", "takes", "at: (?:{{PC}} +)?{{FUNC}}"})));
    f.push_back(with_report(fmt(seq({"WARNING: suspicious RCU usage"}), "WARNING: suspicious RCU usage in {2}",
                                trace_stack({"rcu", "kmem", "slab"})),
                            seq({"WARNING: suspicious RCU usage", "{{SRC}}"})));
    f.push_back(no_stack(fmt(seq({"WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value"}),
                             "WARNING: kernel stack regs has bad '{1}' value")));
    f.push_back(no_stack(fmt(seq({"WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value"}),
                             "WARNING: kernel stack frame pointer has bad value")));
    f.push_back(fmt(seq({"WARNING: bad unlock balance detected!"}), "WARNING: bad unlock balance in {1}",
                    stack({re("{{PC}} +{{FUNC}}"), call_trace(), kParse})));
    f.push_back(with_report(fmt(seq({"WARNING: held lock freed!"}), "WARNING: held lock freed in {1}"),
                            seq({"WARNING: held lock freed!", "at:(?: {{PC}})? +{{FUNC}}"})));
    f.push_back(no_stack(fmt(seq({"WARNING: kernel stack regs .* has bad 'bp' value"}),
                             "WARNING: kernel stack regs has bad value")));
    f.push_back(no_stack(fmt(seq({"WARNING: kernel stack frame pointer .* has bad value"}),
                             "WARNING: kernel stack regs has bad value")));
    f.push_back(corrupted(fmt(seq({"WARNING:\\s*$"}), "WARNING: corrupted")));
    r.push_back(std::move(o));
  }

  // --- INFO: --------------------------------------------------------------------------
  {
    OopsRule o{"INFO:", {},
               {re("INFO: lockdep is turned off"), re("INFO: Stall ended before state dump start"),
                re("INFO: NMI handler"), re("INFO: recovery required on readonly filesystem"),
                re_with("(handler|interrupt).*took too long", {"took too long"}), re("INFO: sys_.* is not present in /proc/kallsyms"),
                re("INFO: no syscalls can create resource"), re("rmt_storage:INFO:"), re("_INFO:")}};
    auto& f = o.formats;
    f.push_back(with_report(fmt(seq({"INFO: possible circular locking dependency detected"}), "possible deadlock in {1}"),
                            seq({"INFO: possible circular locking dependency detected \\]",
                                 "is trying to acquire lock", "at: {{PC}} +{{FUNC}}"})));
    f.push_back(with_report(fmt(seq({"INFO: possible irq lock inversion dependency detected"}), "possible deadlock in {1}"),
                            seq({"INFO: possible irq lock inversion dependency detected \\]",
                                 "just changed the state of lock", "at: {{PC}} +{{FUNC}}"})));
    f.push_back(with_report(fmt(seq({"INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected"}), "possible deadlock in {1}"),
                            seq({"INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \\]",
                                 "is trying to acquire", "at: {{PC}} +{{FUNC}}"})));
    f.push_back(with_report(fmt(seq({"INFO: possible recursive locking detected"}), "possible deadlock in {1}"),
                            seq({"INFO: possible recursive locking detected \\]", "is trying to acquire lock",
                                 "at: {{PC}} +{{FUNC}}"})));
    f.push_back(with_report(fmt(seq({"INFO: inconsistent lock state"}), "inconsistent lock state in {1}"),
                            seq({"INFO: inconsistent lock state \\]", "takes", "at: {{PC}} +{{FUNC}}"})));
    f.push_back(fmt(seq({"INFO: rcu_(?:preempt|sched|bh|tasks) (?:self-)?detected(?: expedited)? stall"}),
                    "INFO: rcu detected stall in {1}",
                    stack({re("apic_timer_interrupt"), rip_frame(), kParse}, {"apic_timer_interrupt", "rcu"},
                          FrameChoice::Stall, {re("(?:apic_timer_interrupt|Exception stack|el1h_64_irq)"), kParse})));
    f.push_back(fmt(seq({"INFO: trying to register non-static key"}), "INFO: trying to register non-static key in {1}",
                    trace_stack({"stack", "lock", "IRQ"})));
    f.push_back(with_report(fmt(seq({"INFO: suspicious RCU usage"}), "INFO: suspicious RCU usage in {2}",
                                trace_stack({"rcu", "kmem", "slab"})),
                            seq({"INFO: suspicious RCU usage", "{{SRC}}"})));
    f.push_back(fmt(seq({"INFO: task {{TASK}} blocked (?:in I/O wait )?for more than [0-9]+ seconds"}),
                    "INFO: task hung in {1}", trace_stack({}, FrameChoice::HungTask)));
    f.push_back(fmt(seq({"INFO: task {{TASK}} can't die for more than .* seconds"}), "INFO: task can't die in {1}",
                    trace_stack({"schedule"})));
    f.push_back(corrupted(fmt(seq({"INFO: (Freed|Allocated) in (.*)"}), "INFO: {1} in {2}")));
    f.push_back(corrupted(fmt(seq({"INFO:\\s*$"}), "INFO: corrupted")));
    r.push_back(std::move(o));
  }

  r.push_back(OopsRule{"Unable to handle kernel",
                       {fmt(seq({"Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)"}),
                            "BUG: unable to handle kernel {1} in {2}", rip_stack())},
                       {}});
  r.push_back(OopsRule{"general protection fault",
                       {fmt(seq({"general protection fault.*:"}), "general protection fault in {1}", rip_stack())},
                       {re("general protection fault .* error:\\d+ in ")}});
  r.push_back(OopsRule{"stack segment: ", {fmt(seq({"stack segment: "}), "stack segment fault in {1}", rip_stack())}, {}});

  {
    OopsRule o{"Kernel panic", {}, {}};
    auto& f = o.formats;
    f.push_back(no_stack(with_report(
        fmt(seq({"Kernel panic - not syncing: stack-protector:"}), "kernel panic: stack is corrupted in {1}"),
        seq({"Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}"}))));
    f.push_back(with_report(
        fmt(seq({"Kernel panic - not syncing: stack-protector:"}), "kernel panic: stack is corrupted in {1}",
            trace_stack({"stack_chk"})),
        seq({"Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+"})));
    f.push_back(with_report(
        fmt(seq({"Kernel panic - not syncing: corrupted stack end"}), "kernel panic: corrupted stack end in {1}",
            trace_stack({"schedule", "retint_kernel"}, FrameChoice::Stall)),
        seq({"Kernel panic - not syncing: corrupted stack end detected inside scheduler"})));
    f.push_back(fmt(seq({"Kernel panic - not syncing: kernel stack overflow"}), "kernel stack overflow in {1}",
                    trace_stack({"bad_stack"}, FrameChoice::Stall)));
    f.push_back(fmt(seq({"Kernel panic - not syncing: Attempted to kill init!"}), "kernel panic: Attempted to kill init!"));
    f.push_back(fmt(seq({"Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+"}),
                    "kernel panic: Couldn't open N_TTY ldisc"));
    // These follow a BUG / WARNING / hang report whose header was lost.
    f.push_back(corrupted(fmt(seq({"Kernel panic - not syncing: Fatal exception"}), "kernel panic: Fatal exception")));
    f.push_back(corrupted(fmt(seq({"Kernel panic - not syncing: panic_on_warn set"}), "kernel panic: panic_on_warn set")));
    f.push_back(corrupted(fmt(seq({"Kernel panic - not syncing: hung_task: blocked tasks"}),
                              "kernel panic: hung_task: blocked tasks")));
    f.push_back(fmt(seq({"Kernel panic - not syncing: (.*)"}), "kernel panic: {1}"));
    r.push_back(std::move(o));
  }
  r.push_back(OopsRule{"PANIC: double fault",
                       {fmt(seq({"PANIC: double fault"}), "PANIC: double fault in {1}", stack({rip_frame()}))}, {}});
  {
    OopsRule o{"rust_kernel: panicked", {}, {}};
    TitleFormat t = fmt(seq({"rust_kernel: panicked"}), "{1} in {2}",
                        trace_stack({"__rustc::rust_begin_unwind"}));
    t.report = seq({"rust_kernel: panicked at "});
    t.report.push_back(whole_next_line());
    o.formats.push_back(std::move(t));
    r.push_back(std::move(o));
  }
  {
    OopsRule o{"kernel BUG", {}, {}};
    o.formats.push_back(fmt(seq({"kernel BUG at mm/usercopy.c"}), "BUG: bad usercopy in {1}",
                            trace_stack({"usercopy", "__check"})));
    o.formats.push_back(fmt(seq({"kernel BUG at lib/list_debug.c"}), "BUG: corrupted list in {1}", trace_stack()));
    o.formats.push_back(fmt(seq({"kernel BUG at (.*)"}), "kernel BUG in {2}", rip_stack({"^skb_"})));
    r.push_back(std::move(o));
  }
  r.push_back(OopsRule{"Kernel BUG", {fmt(seq({"Kernel BUG (.*)"}), "kernel BUG {1}")}, {}});
  r.push_back(OopsRule{"BUG kmalloc-", {fmt(seq({"BUG kmalloc-.*: Object already free"}), "BUG: Object already free")}, {}});
  r.push_back(OopsRule{"divide error:", {fmt(seq({"divide error: "}), "divide error in {1}", stack({rip_frame()}))}, {}});
  r.push_back(OopsRule{"divide_error:", {fmt(seq({"divide_error: "}), "divide error in {1}", stack({rip_frame()}))}, {}});
  r.push_back(OopsRule{"invalid opcode:", {fmt(seq({"invalid opcode: "}), "invalid opcode in {1}", stack({rip_frame()}))}, {}});
  r.push_back(OopsRule{"int3:", {fmt(seq({"int3: "}), "int3 in {1}", rip_stack())}, {}});
  {
    OopsRule o{"UBSAN:", {}, {}};
    o.formats.push_back(with_report(fmt(seq({"UBSAN:"}), "UBSAN: undefined-behaviour in {1}",
                                        trace_stack({"ubsan", "overflow"})),
                                    seq({"UBSAN: Undefined behaviour in"})));
    o.formats.push_back(fmt(seq({"UBSAN: array-index-out-of-bounds in"}), "UBSAN: array-index-out-of-bounds in {1}",
                            trace_stack({"ubsan", "overflow"})));
    o.formats.push_back(with_report(fmt(seq({"UBSAN:"}), "UBSAN: {1} in {2}", trace_stack({"ubsan", "overflow"})),
                                    seq({"UBSAN: (.*?) in"})));
    r.push_back(std::move(o));
  }
  {
    TitleFormat t = no_stack(fmt(seq({"^Booting the kernel"}), "unexpected kernel reboot"));
    t.title_at_line_start = true;
    r.push_back(OopsRule{"Booting the kernel.", {t}, {re("Parsing ELF|Decompressing Linux|Unknown parameter '")}});
  }
  r.push_back(OopsRule{"unregister_netdevice: waiting for",
                       {no_stack(fmt(seq({"unregister_netdevice: waiting for (?:.*) to become free"}),
                                     "unregister_netdevice: waiting for DEV to become free"))},
                       {}});
  r.push_back(OopsRule{"VFS: Close: file count is 0",
                       {no_stack(fmt(seq({"VFS: Close: file count is 0"}), "VFS: Close: file count is zero (use-after-free)"))},
                       {}});
  r.push_back(OopsRule{"VFS: Busy inodes after unmount",
                       {no_stack(fmt(seq({"VFS: Busy inodes after unmount"}), "VFS: Busy inodes after unmount (use-after-free)"))},
                       {}});
  r.push_back(OopsRule{"Internal error:", {fmt(seq({"Internal error:"}), "Internal error in {1}", rip_stack())}, {}});
  r.push_back(OopsRule{"Unhandled fault:", {fmt(seq({"Unhandled fault:"}), "Unhandled fault in {1}", rip_stack())}, {}});
  r.push_back(OopsRule{"Alignment trap:", {fmt(seq({"Alignment trap:"}), "Alignment trap in {1}", rip_stack())}, {}});
  {
    OopsRule o{"trusty: panic", {}, {}};
    o.formats.push_back(no_stack(with_report(fmt(seq({"trusty: panic.* ASSERT FAILED"}), "trusty: ASSERT FAILED: {1}"),
                                             seq({"trusty: panic \\(.*?\\):(?: DEBUG)? ASSERT FAILED at \\(.*?\\): (.+)"}))));
    o.formats.push_back(corrupted(fmt(seq({"trusty: panic.* ASSERT FAILED.*: *(.*)"}), "trusty: ASSERT FAILED: {1}")));
    o.formats.push_back(no_stack(with_report(fmt(seq({"trusty: panic"}), "trusty: panic: {1}"),
                                             seq({"trusty: panic \\(.*?\\): (.+)"}))));
    r.push_back(std::move(o));
  }
  r.push_back(OopsRule{"fatal error:", {no_stack(fmt(seq({"fatal error:"}), "go runtime error"))},
                       {re("ALSA"), re("fatal error: cannot create timer")}});
  // Produced by syzkaller itself (executor failures) and Go panics.
  r.push_back(OopsRule{"SYZFAIL:", {no_stack(fmt(seq({"SYZFAIL:(.*)"}), "SYZFAIL:{1}"))}, {}});
  r.push_back(OopsRule{"SYZFATAL:", {no_stack(fmt(seq({"SYZFATAL:(.*)()"}), "SYZFATAL:{1}"))}, {}});
  r.push_back(OopsRule{"panic:",
                       {no_stack(fmt(seq({"panic: Sentry detected .* stuck task"}), "panic: Sentry detected stuck tasks")),
                        no_stack(fmt(seq({"panic:(.*)"}), "panic:{1}"))},
                       {re("_panic:"), re("xlog_status:"), re("ddb\\.onpanic:"), re("evtlog_status:")}});
  return r;
}

StackVocabulary build_vocabulary() {
  StackVocabulary v;
  v.riscv_stack_start = re("status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: [0-9a-f]{16}");
  v.stack_starts = {re("Call (?:T|t)race"), re("Allocated:"), re("Allocated by task [0-9]+:"), re("Freed:"),
                    re("Freed by task [0-9]+:"),
                    // "backtrace:" but not "stack backtrace:"; kmemleak adds a crc.
                    re_with("(?:^|[^k]) backtrace(?: \\(crc [0-9a-fA-F]*\\))?:", {" backtrace"}), re("Backtrace:"),
                    re("Uninit was stored to memory at"), v.riscv_stack_start};
  v.frame_lines = {re_with("^ *(?:{{PC}} ){0,2}{{FUNC}}", {"+", "."}),
                   // arm: "[<pc>] (func) from [<pc>] (caller+...)" names two frames.
                   re_with("^ *{{PC}} \\(([a-zA-Z0-9_.]+)\\) from {{PC}} \\({{FUNC}}", {") from "})};
  v.corrupted_lines = {re_with("^( \\[<?(?:0x)?[0-9a-f]+>?\\])? should_fail(slab)?(\\.[a-z0-9.]+)?\\+0x", {"should_fail"})};
  v.strip_prefixes = {"SYSC_", "SyS_", "sys_", "__x64_", "__ia32_", "__arm64_", "____sys_", "___sys_", "__sys_",
                      "__se_", "__se_sys_", "__do_sys_", "compat_SYSC_", "compat_SyS_", "ksys_"};
  for (const char* a :
       {"process_one_work", "do_syscall_", "do_fast_syscall_", "sysenter_dispatch", "tracesys_phase2",
        "el0_svc_handler", "invoke_syscall", "ret_fast_syscall", "netif_receive_skb", "do_softirq",
        "call_timer_fn", "_run_timers", "run_timer_softirq", "hrtimer_run", "run_ksoftirqd", "smpboot_thread_fn",
        "^kthread$", "start_secondary", "cpu_startup_entry", "ret_from_fork", "vfs_write", "vfs_read",
        "vfs_iter_read", "vfs_iter_write", "do_iter_read", "do_iter_write", "call_read_iter", "call_write_iter",
        "new_sync_read", "new_sync_write", "vfs_ioctl", "ksys_ioctl", "compat_ioctl", "compat_sys_ioctl",
        "blkdev_driver_ioctl", "blkdev_ioctl", "^call_read_iter", "^call_write_iter", "do_iter_readv_writev",
        "^call_mmap", "mmap_region", "do_mmap", "do_dentry_open", "vfs_open", "^sock_sendmsg", "^sock_recvmsg",
        "^sock_release", "^__sock_release", "^setsockopt$", "kernel_setsockopt", "sock_common_setsockopt",
        "^listen$", "kernel_listen", "sk_common_release", "^sock_mmap", "^accept$", "kernel_accept",
        "^sock_do_ioctl", "^sock_ioctl", "^compat_sock_ioctl", "^nfnetlink_rcv_msg", "^rtnetlink_rcv_msg",
        "^netlink_dump", "^(sys_)?(socketpair|connect|ioctl)", "__do_fault", "do_page_fault", "^page_fault$",
        "__fput", "task_work_run", "exit_to_usermode", "smp_call_function", "tasklet_action",
        "tasklet_hi_action"}) {
    v.stall_anchors.push_back(re(a));
  }
  v.report_start_ignores = {re("invalid opcode: 0000"), re("Kernel panic - not syncing"),
                            re("unregister_netdevice: waiting for"), re("PANIC: double fault"),
                            re("Internal error:")};
  v.info_messages_with_stack = {"vmalloc: allocation failure:", "FAULT_INJECTION: forcing a failure",
                                "FAULT_FLAG_ALLOW_RETRY missing"};
  for (const char* s :
       {"panic: failed to start executor binary", "panic: executor failed: pthread_create failed",
        "panic: failed to create temp dir", "fatal error: unexpected signal during runtime execution",
        "signal SIGBUS: bus error", "SYZFAIL: SIGBUS", "Out of memory: Kill process .* \\(syz-executor\\)",
        "Out of memory: Kill process .* \\(sshd\\)", "Killed process .* \\(syz-executor\\)",
        "Killed process .* \\(sshd\\)", "lowmemorykiller: Killing 'syz-executor'",
        "lowmemorykiller: Killing 'sshd'", "INIT: PANIC: segmentation violation!",
        "\\*\\*\\* stack smashing detected \\*\\*\\*: terminated", "fatal error: runtime: out of memory",
        "fatal error: runtime: cannot allocate memory", "fatal error: out of memory", "fatal error: newosproc",
        "panic: .*cannot allocate memory"}) {
    v.suppressions.push_back(re(s));
  }
  return v;
}

}  // namespace

const std::vector<OopsRule>& oops_rules() {
  static const std::vector<OopsRule> kRules = build_rules();
  return kRules;
}

const StackVocabulary& stack_vocabulary() {
  static const StackVocabulary kVocabulary = build_vocabulary();
  return kVocabulary;
}

std::string title_to_type(const std::string& title) {
  // First matching prefix wins; the order matters ("KASAN: use-after-free Write" before
  // the generic "KASAN: use-after-free").
  static const std::vector<std::pair<std::vector<std::string>, std::string>> kTable = {
      {{"KFENCE: use-after-free write"}, "KFENCE-USE-AFTER-FREE-WRITE"},
      {{"KFENCE: use-after-free read", "KFENCE: use-after-free"}, "KFENCE-USE-AFTER-FREE-READ"},
      {{"KFENCE: invalid write", "KFENCE: out-of-bounds write"}, "KFENCE-WRITE"},
      {{"KFENCE: invalid read", "KFENCE: out-of-bounds read", "KFENCE: out-of-bounds"}, "KFENCE-READ"},
      {{"KFENCE: memory corruption"}, "KFENCE-MEMORY-CORRUPTION"},
      {{"KFENCE: invalid free"}, "KFENCE-INVALID-FREE"},
      {{"KMSAN: uninit-value"}, "KMSAN-UNINIT-VALUE"},
      {{"KMSAN: kernel-infoleak-after-free", "KMSAN: kernel-usb-infoleak-after-free", "KMSAN: use-after-free"},
       "KMSAN-USE-AFTER-FREE-READ"},
      {{"KMSAN: kernel-infoleak", "KMSAN: kernel-usb-infoleak"}, "KMSAN-INFO-LEAK"},
      {{"KASAN: null-ptr-deref Write"}, "KASAN-NULL-POINTER-DEREFERENCE-WRITE"},
      {{"KASAN: null-ptr-deref Read"}, "KASAN-NULL-POINTER-DEREFERENCE-READ"},
      {{"BUG: unable to handle kernel NULL pointer dereference in"}, "NULL-POINTER-DEREFERENCE"},
      {{"KASAN: global-out-of-bounds Write", "KASAN: out-of-bounds Write", "KASAN: slab-out-of-bounds Write",
        "KASAN: stack-out-of-bounds Write", "KASAN: user-memory-access Write", "KASAN: vmalloc-out-of-bounds Write",
        "KASAN: wild-memory-access Write"},
       "KASAN-WRITE"},
      {{"KASAN: global-out-of-bounds Read", "KASAN: invalid-access Read", "KASAN: out-of-bounds Read",
        "KASAN: slab-out-of-bounds Read", "KASAN: slab-out-of-bounds", "KASAN: stack-out-of-bounds Read",
        "KASAN: stack-out-of-bounds", "KASAN: unknown-crash Read", "KASAN: user-memory-access Read",
        "KASAN: vmalloc-out-of-bounds Read", "KASAN: wild-memory-access Read", "KASAN: wild-memory-access"},
       "KASAN-READ"},
      {{"KASAN: double-free or invalid-free", "KASAN: invalid-free"}, "KASAN-INVALID-FREE"},
      {{"KASAN: slab-use-after-free Write", "KASAN: use-after-free Write"}, "KASAN-USE-AFTER-FREE-WRITE"},
      {{"KASAN: slab-use-after-free Read", "KASAN: use-after-free Read", "KASAN: use-after-free"},
       "KASAN-USE-AFTER-FREE-READ"},
      {{"BUG: corrupted list", "BUG: unable to handle kernel paging request"}, "MEMORY_SAFETY_BUG"},
      {{"WARNING: refcount bug"}, "REFCOUNT_WARNING"},
      {{"UBSAN: array-index-out-of-bounds"}, "MEMORY_SAFETY_UBSAN"},
      {{"KCSAN: data-race"}, "KCSAN-DATARACE"},
      {{"KCSAN: assert: race in"}, "KCSAN-ASSERT"},
      {{"BUG: bad unlock balance in", "BUG: held lock freed in", "BUG: rwlock", "BUG: spinlock",
        "BUG: still has locks held in", "BUG: using", "WARNING: bad unlock balance in", "WARNING: held lock freed in",
        "WARNING: lock held", "WARNING: locking bug in", "WARNING: nested lock was not taken in",
        "WARNING: still has locks held in", "WARNING: suspicious RCU usage in", "inconsistent lock state in",
        "possible deadlock in"},
       "LOCKDEP"},
      {{"BUG: scheduling while atomic in", "BUG: sleeping function called from invalid context in"}, "ATOMIC_SLEEP"},
      {{"memory leak in"}, "LEAK"},
      {{"BUG: bad usercopy in", "kernel BUG"}, "BUG"},
      {{"WARNING in"}, "WARNING"},
      {{"BUG: stack guard page was hit in", "WARNING: corrupted", "WARNING: kernel stack frame pointer has bad value",
        "WARNING: kernel stack regs has bad"},
       ""},
      {{"BUG: soft lockup in", "INFO: rcu detected stall in", "INFO: task can't die in", "INFO: task hung in"}, "HANG"},
      {{"Alignment trap in", "BUG: Object already free", "Internal error in", "PANIC: double fault", "Unhandled fault in",
        "VFS: Busy inodes after unmount (use-after-free)", "VFS: Close: file count is zero (use-after-free)",
        "divide error in", "general protection fault in", "go runtime error", "int3 in", "invalid opcode in",
        "kernel panic:", "kernel stack overflow", "panic:", "rust_kernel panicked", "stack segment fault in", "trusty:",
        "unregister_netdevice: waiting for DEV to become free"},
       "DoS"},
      {{"no output from test machine"}, "NO_OUTPUT"},
      {{"unexpected kernel reboot"}, "REBOOT"},
      {{"SYZFAIL", "SYZFATAL:"}, "SYZ_FAILURE"},
      {{"WARNING:"}, "WARNING"},
      {{"BUG:"}, ""},
      {{"INFO:"}, ""},
      {{"KASAN:"}, "KASAN-UNKNOWN"},
      {{"KFENCE:"}, "KFENCE-UNKNOWN"},
      {{"KMSAN:"}, "KMSAN-UNKNOWN"},
      {{"UBSAN:"}, "UBSAN"},
      {{"KCSAN:"}, "KCSAN-UNKNOWN"},
  };
  for (const auto& [prefixes, type] : kTable) {
    for (const auto& p : prefixes) {
      if (title.compare(0, p.size(), p) == 0) return type;
    }
  }
  return "";
}

}  // namespace kdive
